import type { GovernanceTaxResult } from "./governance-tax.js";
import { formatTable, ms, times } from "./table.js";

/** The governance-tax table and its verdict, as printed by `npm run bench`. */
export function formatGovernanceTax(result: GovernanceTaxResult): string {
  const { runtime, runtimeRatio, governed, bare, ratio } = result;
  const table = formatTable(
    ["variant", "runs", "median ms", "p95 ms", "CPU median ms"],
    [
      [
        "through GovernorRuntime.start",
        String(runtime.runs),
        ms(runtime.medianMs),
        ms(runtime.p95Ms),
        ms(runtime.cpuMedianMs),
      ],
      [
        "governed (Governor compile)",
        String(governed.runs),
        ms(governed.medianMs),
        ms(governed.p95Ms),
        ms(governed.cpuMedianMs),
      ],
      ["bare LangGraph", String(bare.runs), ms(bare.medianMs), ms(bare.p95Ms), ms(bare.cpuMedianMs)],
      [
        "ratio runtime/bare",
        "",
        times(runtimeRatio.median),
        times(runtimeRatio.p95),
        times(runtimeRatio.cpuMedian),
      ],
      ["ratio governed/bare", "", times(ratio.median), times(ratio.p95), times(ratio.cpuMedian)],
    ],
  );
  const runtimeVerdict = `${result.runtimeMeetsGoal ? "PASS" : "FAIL"}: through the runtime, CPU median ${times(runtimeRatio.cpuMedian)} bare (goal ≤ ${result.goal}×; wall ${times(runtimeRatio.median)}).`;
  return `Governance tax: refund "small-refund", one run per new thread, SqliteSaver files for all three\n\n${table}\n\n${runtimeVerdict}\n${verdict(result)}`;
}

function verdict({ ratio, goal, meetsGoal }: GovernanceTaxResult): string {
  const p95 = `p95 ${times(ratio.p95)}, ${ratio.p95 <= goal ? "within" : "over"}`;
  return meetsGoal
    ? `PASS: governed median is ${times(ratio.median)} bare, within the goal governed ≤ ${goal}× bare (${p95}).`
    : `FAIL: governed median is ${times(ratio.median)} bare, above the goal governed ≤ ${goal}× bare (${p95}).`;
}
