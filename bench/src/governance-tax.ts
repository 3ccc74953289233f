import { join } from "node:path";
import type { BenchConfig } from "./bench-config.js";
import { scratchDir } from "./scratch-dir.js";
import type { TimingSummary } from "./stats.js";
import { timeVariants } from "./time-variants.js";
import { bareRefund } from "./variants/bare-refund.js";
import { governedRefund } from "./variants/governed-refund.js";
import { fileJournals } from "./variants/journals.js";
import { runtimeRefund } from "./variants/runtime-refund.js";

/** The goal: a governed run may cost at most this many times a bare LangGraph run. */
export const GOVERNANCE_TAX_GOAL = 1.5;

export interface GovernanceTaxResult {
  /** Through `GovernorRuntime.start` on a GovernorStore: the path `governor run` takes. */
  readonly runtime: TimingSummary;
  /** runtime / bare: wall median and p95, and CPU median (the goal is judged on the CPU median). */
  readonly runtimeRatio: { readonly median: number; readonly p95: number; readonly cpuMedian: number };
  readonly runtimeMeetsGoal: boolean;
  /** Governor's compile().invoke on file journals. */
  readonly governed: TimingSummary;
  readonly bare: TimingSummary;
  /** governed / bare: wall median and p95, and CPU median. */
  readonly ratio: { readonly median: number; readonly p95: number; readonly cpuMedian: number };
  readonly goal: number;
  readonly meetsGoal: boolean;
}

/**
 * What governance costs per run of the refund desk's small refund, in one process,
 * interleaved: through `GovernorRuntime.start` (run registry, lease, kill switch, budget,
 * journals: what `governor run` does) and through Governor's compiled workflow's `invoke()`,
 * each against the same business steps in bare LangGraph; all three on SqliteSaver files.
 */
export async function measureGovernanceTax(config: BenchConfig): Promise<GovernanceTaxResult> {
  const dir = scratchDir("tax");
  const governed = governedRefund({
    checkpoints: join(dir.path, "governed-checkpoints.db"),
    journals: fileJournals(dir.path),
  });
  const bare = bareRefund({ checkpoints: join(dir.path, "bare-checkpoints.db") });
  const runtime = runtimeRefund({ dir: join(dir.path, "runtime-store") });
  try {
    const times = await timeVariants([runtime, governed, bare], config);
    const r = times.get(runtime.name) as TimingSummary;
    const g = times.get(governed.name) as TimingSummary;
    const b = times.get(bare.name) as TimingSummary;
    const ratioOf = (x: TimingSummary) => ({
      median: x.medianMs / b.medianMs,
      p95: x.p95Ms / b.p95Ms,
      cpuMedian: x.cpuMedianMs / b.cpuMedianMs,
    });
    const ratio = ratioOf(g);
    const runtimeRatio = ratioOf(r);
    return {
      runtime: r,
      runtimeRatio,
      runtimeMeetsGoal: runtimeRatio.cpuMedian <= GOVERNANCE_TAX_GOAL,
      governed: g,
      bare: b,
      ratio,
      goal: GOVERNANCE_TAX_GOAL,
      meetsGoal: ratio.median <= GOVERNANCE_TAX_GOAL,
    };
  } finally {
    runtime.close();
    governed.close();
    bare.close();
    dir.dispose();
  }
}
