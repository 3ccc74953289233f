import { join } from "node:path";
import type { BenchConfig } from "./bench-config.js";
import { type MicroTiming, measureMicro } from "./micro.js";
import { scratchDir } from "./scratch-dir.js";
import type { TimingSummary } from "./stats.js";
import { timeVariants } from "./time-variants.js";
import { bareRefund } from "./variants/bare-refund.js";
import { governedRefund } from "./variants/governed-refund.js";
import { fileJournals, memoryJournals, nullJournals } from "./variants/journals.js";

export interface BreakdownVariant {
  readonly name: string;
  /** Graph steps one small refund runs (each a checkpoint write). */
  readonly nodes: number;
  readonly summary: TimingSummary;
}

/** One slice of the governed run's extra time: the difference of two variants' medians. */
export interface BreakdownSlice {
  readonly cause: string;
  readonly medianMs: number;
}

export interface BreakdownResult {
  readonly variants: readonly BreakdownVariant[];
  readonly slices: readonly BreakdownSlice[];
  /** Audit records one governed small refund appends. */
  readonly auditRecordsPerRun: number;
  readonly micro: readonly MicroTiming[];
}

/**
 * Splits the governed run's extra time into causes by adding one difference at a time:
 * bare (4 nodes) → bare padded to 7 no-op nodes (LangGraph's per-node cost) → governed with
 * no journals (Governor's node logic) → journals on SQLite `:memory:` → journals on files.
 */
export async function measureBreakdown(config: BenchConfig): Promise<BreakdownResult> {
  const dir = scratchDir("breakdown");
  const none = nullJournals();
  const memory = memoryJournals(dir.path);
  const file = fileJournals(dir.path);
  const checkpoints = (name: string) => join(dir.path, `${name}-checkpoints.db`);
  const variants = [
    { nodes: 4, variant: bareRefund({ name: "bare", checkpoints: checkpoints("bare") }) },
    {
      nodes: 7,
      variant: bareRefund({ name: "bare+3 no-op nodes", checkpoints: checkpoints("bare7"), extraNodes: 3 }),
    },
    {
      nodes: 7,
      variant: governedRefund({
        name: "governed, no journals",
        checkpoints: checkpoints("none"),
        journals: none,
      }),
    },
    {
      nodes: 7,
      variant: governedRefund({
        name: "governed, :memory: journals",
        checkpoints: checkpoints("memory"),
        journals: memory,
      }),
    },
    {
      nodes: 7,
      variant: governedRefund({
        name: "governed, file journals",
        checkpoints: checkpoints("file"),
        journals: file,
      }),
    },
  ];
  try {
    const before = none.appended();
    const times = await timeVariants(
      variants.map((v) => v.variant),
      config,
    );
    const auditRecordsPerRun = (none.appended() - before) / (1 + config.warmup + config.runs);
    const median = (i: number) => (times.get(variants[i]?.variant.name ?? "") as TimingSummary).medianMs;
    return {
      variants: variants.map(({ nodes, variant }) => ({
        name: variant.name,
        nodes,
        summary: times.get(variant.name) as TimingSummary,
      })),
      slices: [
        {
          cause: "LangGraph: 3 more steps (node run + callbacks + checkpoint write each)",
          medianMs: median(1) - median(0),
        },
        {
          cause: "Governor node logic (zod, policy, hashes) + larger checkpoints (governor channel)",
          medianMs: median(2) - median(1),
        },
        { cause: "audit + effects journals in SQLite (:memory:)", medianMs: median(3) - median(2) },
        { cause: "journals on a file instead of :memory:", medianMs: median(4) - median(3) },
      ],
      auditRecordsPerRun,
      micro: measureMicro({ file, memory }),
    };
  } finally {
    for (const { variant } of variants) variant.close();
    dir.dispose();
  }
}
