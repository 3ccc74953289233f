import { quantile } from "../stats.js";
import type { SessionClock } from "./session-clock.js";

/** Orchestration time per turn over every session of a load, in ms (model time excluded). */
export interface OverheadSummary {
  readonly turns: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** The sessions' mean model time (what was excluded), in ms. */
  readonly modelMsPerSession: number;
}

/** Summarizes the turns of every session that ended (failed sessions included: their time was spent too). */
export function summarizeOverhead(clocks: readonly SessionClock[]): OverheadSummary {
  const ended = clocks.filter((clock) => Number.isFinite(clock.endedAt));
  return summarizeTurns(
    ended.flatMap((clock) => clock.turnOverheads()),
    ended.reduce((sum, clock) => sum + clock.modelMs(), 0) / (ended.length || 1),
  );
}

export function summarizeTurns(turns: readonly number[], modelMsPerSession: number): OverheadSummary {
  const sorted = [...turns].sort((a, b) => a - b);
  return {
    turns: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1),
    modelMsPerSession,
  };
}
