import type { Principal } from "@governor/identity";
import type { Awaitable } from "@governor/observability";

/**
 * What principals spend on models per UTC day, across all their runs. Persisted (the
 * embedded store keeps it in SQLite) so a daily budget holds across runs and processes.
 */
export interface SpendLedger {
  /** US dollars `principal` has spent on `day` (YYYY-MM-DD, UTC). */
  spent(principal: string, day: string): Awaitable<number>;
  add(entry: SpendEntry): Awaitable<void>;
  /**
   * Adds `entry.costUsd` only if the principal's spend that day stays at or under `limitUsd`,
   * in one atomic step: two workers reserving at once cannot both spend the last dollar.
   * Answers whether it was added and the spend as it then stood.
   */
  reserve(entry: SpendEntry, limitUsd: number): Awaitable<{ readonly ok: boolean; readonly spent: number }>;
  /** Each principal's spend on `day`, by principal. */
  byPrincipal(day: string): Awaitable<SpendRow[]>;
}

export interface SpendRow {
  readonly principal: string;
  readonly costUsd: number;
  readonly runs: number;
}

export interface SpendEntry {
  readonly principal: string;
  readonly day: string;
  readonly threadId: string;
  readonly costUsd: number;
}

/** The UTC day a time falls on, as the ledger keys it. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Whose daily budget a run spends: its principal, so an agent acting for a user spends
 * that user's allowance with that agent, and the agent alone spends its own.
 */
export function spendKey(principal: Principal): string {
  return principal.id;
}
