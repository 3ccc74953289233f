/** What one model has used in a run. */
export interface ModelUsageTotals {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/**
 * What a run has used so far. It lives in Governor's state channel, so it is checkpointed
 * with the run and a resumed run (in any process) goes on counting from where it stood.
 */
export interface RunUsage {
  /** Nodes executed to completion. */
  readonly steps: number;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** When the first node started (epoch ms), or null before. */
  readonly startedAt: number | null;
  /** Time spent inside nodes: the wall time budgets count (waits for a human excluded). */
  readonly activeMs: number;
  readonly byModel: Readonly<Record<string, ModelUsageTotals>>;
  /** How often each (tool, canonical arguments) fingerprint was proposed: the loop guard's memory. */
  readonly calls: Readonly<Record<string, number>>;
  /** Proposals the loop guard refused. */
  readonly loopRefusals: number;
}

/** What a node adds to the run's usage: every count is added, `startedAt` is kept once set. */
export type UsageDelta = Partial<RunUsage>;

export function emptyUsage(): RunUsage {
  return {
    steps: 0,
    modelCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    startedAt: null,
    activeMs: 0,
    byModel: {},
    calls: {},
    loopRefusals: 0,
  };
}

/**
 * The usage reducer. Nodes write deltas rather than totals: LangGraph applies a node's
 * writes only when the node completes, so a node re-run after an interrupt adds once, and
 * nodes running in the same step add up instead of overwriting each other.
 */
export function mergeUsage(current: RunUsage | undefined, delta: UsageDelta): RunUsage {
  const base = current ?? emptyUsage();
  return {
    steps: base.steps + (delta.steps ?? 0),
    modelCalls: base.modelCalls + (delta.modelCalls ?? 0),
    inputTokens: base.inputTokens + (delta.inputTokens ?? 0),
    outputTokens: base.outputTokens + (delta.outputTokens ?? 0),
    costUsd: base.costUsd + (delta.costUsd ?? 0),
    startedAt: base.startedAt ?? delta.startedAt ?? null,
    activeMs: base.activeMs + (delta.activeMs ?? 0),
    byModel: mergeByModel(base.byModel, delta.byModel),
    calls: addCounts(base.calls, delta.calls),
    loopRefusals: base.loopRefusals + (delta.loopRefusals ?? 0),
  };
}

/** Input and output tokens together, as `maxTokens` counts them. */
export function tokensOf(usage: Pick<RunUsage, "inputTokens" | "outputTokens">): number {
  return usage.inputTokens + usage.outputTokens;
}

function mergeByModel(
  current: RunUsage["byModel"],
  delta: RunUsage["byModel"] | undefined,
): RunUsage["byModel"] {
  if (!delta) return current;
  const merged: Record<string, ModelUsageTotals> = { ...current };
  for (const [model, add] of Object.entries(delta)) {
    const was = merged[model] ?? { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    merged[model] = {
      calls: was.calls + add.calls,
      inputTokens: was.inputTokens + add.inputTokens,
      outputTokens: was.outputTokens + add.outputTokens,
      costUsd: was.costUsd + add.costUsd,
    };
  }
  return merged;
}

function addCounts(
  current: Readonly<Record<string, number>>,
  delta: Readonly<Record<string, number>> | undefined,
): Readonly<Record<string, number>> {
  if (!delta) return current;
  const merged: Record<string, number> = { ...current };
  for (const [key, count] of Object.entries(delta)) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}
