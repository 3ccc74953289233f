import type { AuditRecord } from "../audit-record.js";
import type { RunBudgetState, RunSummary } from "./run-summary.js";
import { runTotals } from "./run-totals.js";
import type { RunOutcomeSummary, RunTimeline, TimelineEntry } from "./timeline.js";
import { timelineEntryOf } from "./timeline-entry.js";

/**
 * A run's timeline from its audit records (chain order), its registry row and, when it
 * could be read, its checkpoint's budget state. Pure: the same inputs give the same
 * timeline, so the CLI and the console render one model.
 *
 * @example
 * const timeline = buildRunTimeline(summary, journal.list(threadId), budgetState);
 */
export function buildRunTimeline(
  run: RunSummary,
  records: readonly AuditRecord[],
  budget?: RunBudgetState,
): RunTimeline {
  const own = records.filter((record) => record.threadId === run.threadId).sort((a, b) => a.seq - b.seq);
  const entries = own.map(timelineEntryOf);
  return {
    run,
    entries,
    steps: stepsOf(entries),
    totals: runTotals(own),
    ...(budget ? { budget } : {}),
    outcome: outcomeOf(run, entries),
  };
}

/** Node visits: a new step each time the node of consecutive records changes. */
function stepsOf(entries: readonly TimelineEntry[]): string[] {
  const steps: string[] = [];
  let current: string | undefined;
  for (const entry of entries) {
    if (entry.node === undefined || entry.node === current) continue;
    current = entry.node;
    steps.push(current);
  }
  return steps;
}

/** The registry's status is the truth; the last run record adds why it failed or what it waits for. */
function outcomeOf(run: RunSummary, entries: readonly TimelineEntry[]): RunOutcomeSummary {
  const last = entries.findLast((entry) => entry.type === "run" && entry.outcome === run.status);
  const error = run.error ?? (last?.type === "run" ? last.error : undefined);
  const waitingFor = run.status === "waiting" && last?.type === "run" ? last.waitingFor : undefined;
  return {
    status: run.status,
    ...(error !== undefined ? { error } : {}),
    ...(waitingFor ? { waitingFor } : {}),
  };
}
