import type { AuditRecord } from "../audit-record.js";

/** What one model cost a run (or a set of runs). */
export interface ModelTotals {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** A run's model use, summed from its "model" audit records. */
export interface RunTotals extends ModelTotals {
  /** Input and output tokens together. */
  readonly tokens: number;
  /** Per model, by the name it is priced under. */
  readonly byModel: Readonly<Record<string, ModelTotals>>;
}

/** The figures one "model" audit record carries; zero for a field a malformed record lacks. */
export interface ModelUse {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** Reads one "model" record's model, tokens and cost (written by every model call: steps, agent turns, extraction). */
export function modelUseOf(record: AuditRecord): ModelUse {
  const data = record.data;
  const usage = (data.usage ?? {}) as Record<string, unknown>;
  return {
    model: typeof data.model === "string" ? data.model : "unknown",
    inputTokens: numberOr0(usage.inputTokens),
    outputTokens: numberOr0(usage.outputTokens),
    costUsd: numberOr0(data.costUsd),
  };
}

/**
 * Sums a run's model calls from its audit records (other kinds are ignored). The journal,
 * not the checkpoint, is the source: it holds one record per call even when a node re-ran
 * on resume (records are deduplicated), and it survives a run whose checkpoint is gone.
 */
export function runTotals(records: readonly AuditRecord[]): RunTotals {
  const byModel: Record<string, ModelTotals> = {};
  let calls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  for (const record of records) {
    if (record.kind !== "model") continue;
    const use = modelUseOf(record);
    calls++;
    inputTokens += use.inputTokens;
    outputTokens += use.outputTokens;
    costUsd += use.costUsd;
    byModel[use.model] = addUse(byModel[use.model], use);
  }
  return { calls, inputTokens, outputTokens, tokens: inputTokens + outputTokens, costUsd, byModel };
}

/** Adds one call's use to a model's totals (a fresh total when there is none yet). */
export function addUse(totals: ModelTotals | undefined, use: Omit<ModelUse, "model">): ModelTotals {
  return {
    calls: (totals?.calls ?? 0) + 1,
    inputTokens: (totals?.inputTokens ?? 0) + use.inputTokens,
    outputTokens: (totals?.outputTokens ?? 0) + use.outputTokens,
    costUsd: (totals?.costUsd ?? 0) + use.costUsd,
  };
}

function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
