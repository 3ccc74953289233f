import type { BreakdownResult } from "./breakdown.js";
import { formatTable, ms } from "./table.js";

/** Where the governed run's extra time goes, as `npm run bench` prints it after the governance tax. */
export function formatBreakdown(result: BreakdownResult): string {
  const base = result.variants[0]?.summary.medianMs ?? Number.NaN;
  const cpuBase = result.variants[0]?.summary.cpuMedianMs ?? Number.NaN;
  const variants = formatTable(
    ["variant", "nodes", "runs", "median ms", "p95 ms", "× bare", "CPU median ms", "CPU × bare"],
    result.variants.map(({ name, nodes, summary }) => [
      name,
      String(nodes),
      String(summary.runs),
      ms(summary.medianMs),
      ms(summary.p95Ms),
      `${(summary.medianMs / base).toFixed(2)}×`,
      ms(summary.cpuMedianMs),
      `${(summary.cpuMedianMs / cpuBase).toFixed(2)}×`,
    ]),
  );
  const extra = result.slices.reduce((sum, slice) => sum + slice.medianMs, 0);
  const slices = formatTable(
    ["cause of the extra median time", "ms", "share"],
    result.slices.map(({ cause, medianMs }) => [
      cause,
      ms(medianMs),
      `${((medianMs / extra) * 100).toFixed(0)}%`,
    ]),
  );
  const micro = formatTable(
    ["operation", "µs each"],
    result.micro.map(({ operation, microseconds }) => [operation, microseconds.toFixed(1)]),
  );
  const floor = (result.variants[1]?.summary.medianMs ?? Number.NaN) / base;
  return [
    "Breakdown: where the governed run's extra time goes",
    variants,
    `A bare graph with the governed one's 7 steps is already ${floor.toFixed(2)}× bare: the floor while each control is its own node.`,
    slices,
    `audit records per governed small refund: ${result.auditRecordsPerRun}`,
    micro,
  ].join("\n\n");
}
