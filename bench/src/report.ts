import type { GovernanceTaxResult } from "./governance-tax.js";
import { formatTable, ms, times } from "./table.js";

/** The governance-tax table and its verdict, as printed by `npm run bench`. */
export function formatGovernanceTax(result: GovernanceTaxResult): string {
  const { governed, bare, ratio } = result;
  const table = formatTable(
    ["variant", "runs", "median ms", "p95 ms", "CPU median ms"],
    [
      [
        "governed (Governor compile)",
        String(governed.runs),
        ms(governed.medianMs),
        ms(governed.p95Ms),
        ms(governed.cpuMedianMs),
      ],
      ["bare LangGraph", String(bare.runs), ms(bare.medianMs), ms(bare.p95Ms), ms(bare.cpuMedianMs)],
      ["ratio governed/bare", "", times(ratio.median), times(ratio.p95), times(ratio.cpuMedian)],
    ],
  );
  return `Governance tax: refund "small-refund", one invoke() per new thread, SqliteSaver files for both\n\n${table}\n\n${verdict(result)}`;
}

function verdict({ ratio, goal, meetsGoal }: GovernanceTaxResult): string {
  const p95 = `p95 ${times(ratio.p95)}, ${ratio.p95 <= goal ? "within" : "over"}`;
  return meetsGoal
    ? `PASS: governed median is ${times(ratio.median)} bare, within the goal governed ≤ ${goal}× bare (${p95}).`
    : `FAIL: governed median is ${times(ratio.median)} bare, above the goal governed ≤ ${goal}× bare (${p95}).`;
}
