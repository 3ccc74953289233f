import type { AuditRecord } from "@governor/observability";
import type { RunUsage } from "../budget/run-usage.js";

/** What the audit journal shows a run's model steps have used. */
export interface RecordedUse {
  /** Model turns taken, by the node that took them. */
  readonly turns: ReadonlyMap<string, number>;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/**
 * The run's model use as the audit journal records it: one "model" record per model call,
 * with its node, tokens and cost.
 *
 * The counters that bound a loop (turns) and a budget (calls, tokens, cost) live in the
 * thread's state, and a thread's state can be edited from outside the run (Studio's edit,
 * the API server's state endpoint): an edit that resets them would buy a runaway model more
 * turns and more spend. The journal is written by the nodes themselves and an edit of state
 * cannot reach it, so the bounds use whichever is higher.
 */
export function recordedUse(journal: readonly AuditRecord[]): RecordedUse {
  const turns = new Map<string, number>();
  let modelCalls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  for (const record of journal) {
    if (record.kind !== "model") continue;
    modelCalls++;
    if (record.node) turns.set(record.node, (turns.get(record.node) ?? 0) + 1);
    const usage = record.data.usage as { inputTokens?: unknown; outputTokens?: unknown } | undefined;
    inputTokens += finite(usage?.inputTokens);
    outputTokens += finite(usage?.outputTokens);
    costUsd += finite(record.data.costUsd);
  }
  return { turns, modelCalls, inputTokens, outputTokens, costUsd };
}

/** The run's usage, with each model counter at least what the journal records. */
export function atLeastRecorded(usage: RunUsage, recorded: RecordedUse): RunUsage {
  return {
    ...usage,
    modelCalls: Math.max(usage.modelCalls, recorded.modelCalls),
    inputTokens: Math.max(usage.inputTokens, recorded.inputTokens),
    outputTokens: Math.max(usage.outputTokens, recorded.outputTokens),
    costUsd: Math.max(usage.costUsd, recorded.costUsd),
  };
}

function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
