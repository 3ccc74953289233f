import type { Principal } from "@governor/identity";

/**
 * What principals spend on models per UTC day, across all their runs. Persisted (the
 * embedded store keeps it in SQLite) so a daily budget holds across runs and processes.
 */
export interface SpendLedger {
  /** US dollars `principal` has spent on `day` (YYYY-MM-DD, UTC). */
  spent(principal: string, day: string): number;
  add(entry: SpendEntry): void;
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
