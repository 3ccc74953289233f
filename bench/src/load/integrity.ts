import type { GovernorStores } from "@governor/core";
import type { SessionEnd } from "./load-workload.js";

/**
 * What the stores and the tool handlers say happened, after a load: the "0 lost or
 * duplicated runs, 0 duplicated effects", each counted from its own source of truth.
 */
export interface IntegrityReport {
  readonly sessions: number;
  /** Sessions whose run is missing from the run store, or not in the status expected. */
  readonly lostRuns: number;
  /** Run statuses found, by status (e.g. completed, waiting, queued, running). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Threads with more than one "run started" audit record (a run started twice). */
  readonly duplicatedRuns: number;
  /** Calls with an "executed" audit record. */
  readonly executedCalls: number;
  /** Calls (idempotency keys) with more than one "executed" audit record. */
  readonly duplicatedExecutedRecords: number;
  /** Executed calls whose effect-journal row is not "committed". */
  readonly uncommittedEffects: number;
  /** Keys with more than one effect-journal row (from the backend's table; NaN when not countable). */
  readonly duplicatedEffectRows: number;
  /** Idempotency keys the tool handlers ran more than once (across every process). */
  readonly duplicatedEffects: number;
  /** Handler calls in all, and calls audited as executed that no handler ran (or the reverse). */
  readonly handlerCalls: number;
  readonly handlerAuditMismatch: number;
}

export interface IntegrityInput {
  readonly stores: GovernorStores;
  readonly threadIds: readonly string[];
  readonly expected: (index: number) => SessionEnd;
  /** Every handler call's idempotency key, from every process that ran sessions. */
  readonly handlerKeys: readonly string[];
  /** Keys with more than one row in the backend's effect table (a primary key makes this 0 by schema). */
  readonly duplicatedEffectRows?: () => Promise<number>;
}

/** Reads every session's run, audit trail and effects back through the store interfaces. */
export async function checkIntegrity(input: IntegrityInput): Promise<IntegrityReport> {
  const { stores, threadIds } = input;
  const statuses: Record<string, number> = {};
  let lostRuns = 0;
  let duplicatedRuns = 0;
  let duplicatedExecutedRecords = 0;
  let uncommittedEffects = 0;
  const executedKeys = new Set<string>();
  for (const [index, threadId] of threadIds.entries()) {
    const run = await stores.runs.get(threadId);
    const status = run?.status ?? "missing";
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== input.expected(index)) lostRuns++;
    const records = await stores.audit.list(threadId);
    if (records.filter((r) => r.kind === "run" && r.outcome === "started").length > 1) duplicatedRuns++;
    const perKey = new Map<string, number>();
    for (const record of records) {
      if (record.kind !== "execution" || record.outcome !== "executed") continue;
      const key = String((record.data as { idempotencyKey?: unknown }).idempotencyKey);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    for (const [key, times] of perKey) {
      executedKeys.add(key);
      if (times > 1) duplicatedExecutedRecords++;
      if ((await stores.effects.get(key))?.status !== "committed") uncommittedEffects++;
    }
  }
  const handled = new Map<string, number>();
  for (const key of input.handlerKeys) handled.set(key, (handled.get(key) ?? 0) + 1);
  let duplicatedEffects = 0;
  let mismatch = 0;
  for (const [key, times] of handled) {
    if (times > 1) duplicatedEffects++;
    if (!executedKeys.has(key)) mismatch++;
  }
  for (const key of executedKeys) if (!handled.has(key)) mismatch++;
  return {
    sessions: threadIds.length,
    lostRuns,
    statuses,
    duplicatedRuns,
    executedCalls: executedKeys.size,
    duplicatedExecutedRecords,
    uncommittedEffects,
    duplicatedEffectRows: input.duplicatedEffectRows ? await input.duplicatedEffectRows() : Number.NaN,
    duplicatedEffects,
    handlerCalls: input.handlerKeys.length,
    handlerAuditMismatch: mismatch,
  };
}

/** Whether the report meets the goals: nothing lost, nothing twice. */
export function integrityHolds(report: IntegrityReport): boolean {
  return (
    report.lostRuns === 0 &&
    report.duplicatedRuns === 0 &&
    report.duplicatedExecutedRecords === 0 &&
    report.uncommittedEffects === 0 &&
    !(report.duplicatedEffectRows > 0) &&
    report.duplicatedEffects === 0 &&
    report.handlerAuditMismatch === 0
  );
}
