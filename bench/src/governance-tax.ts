import { join } from "node:path";
import type { BenchConfig } from "./bench-config.js";
import { scratchDir } from "./scratch-dir.js";
import type { TimingSummary } from "./stats.js";
import { timeVariants } from "./time-variants.js";
import { bareRefund } from "./variants/bare-refund.js";
import { governedRefund } from "./variants/governed-refund.js";
import { fileJournals } from "./variants/journals.js";

/** The goal: a governed run may cost at most this many times a bare LangGraph run. */
export const GOVERNANCE_TAX_GOAL = 1.5;

export interface GovernanceTaxResult {
  readonly governed: TimingSummary;
  readonly bare: TimingSummary;
  /** governed / bare: wall median and p95, and CPU median. */
  readonly ratio: { readonly median: number; readonly p95: number; readonly cpuMedian: number };
  readonly goal: number;
  readonly meetsGoal: boolean;
}

/**
 * What governance costs per `invoke()` of the refund desk's small refund: Governor's
 * compiled workflow against the same business steps in bare LangGraph, both on a fresh
 * SqliteSaver file, in one process, interleaved.
 */
export async function measureGovernanceTax(config: BenchConfig): Promise<GovernanceTaxResult> {
  const dir = scratchDir("tax");
  const governed = governedRefund({
    checkpoints: join(dir.path, "governed-checkpoints.db"),
    journals: fileJournals(dir.path),
  });
  const bare = bareRefund({ checkpoints: join(dir.path, "bare-checkpoints.db") });
  try {
    const times = await timeVariants([governed, bare], config);
    const g = times.get(governed.name) as TimingSummary;
    const b = times.get(bare.name) as TimingSummary;
    const ratio = {
      median: g.medianMs / b.medianMs,
      p95: g.p95Ms / b.p95Ms,
      cpuMedian: g.cpuMedianMs / b.cpuMedianMs,
    };
    return {
      governed: g,
      bare: b,
      ratio,
      goal: GOVERNANCE_TAX_GOAL,
      meetsGoal: ratio.median <= GOVERNANCE_TAX_GOAL,
    };
  } finally {
    governed.close();
    bare.close();
    dir.dispose();
  }
}
