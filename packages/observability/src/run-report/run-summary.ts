/** A run's status as the run registry keeps it. */
export type RunReportStatus = "queued" | "running" | "waiting" | "completed" | "failed";

/**
 * What a run report needs of a run beyond its audit records: the run registry's row, with
 * the principal reduced to its id. Kept structural so this package does not depend on core.
 */
export interface RunSummary {
  readonly threadId: string;
  readonly workflow: string;
  readonly status: RunReportStatus;
  /** The principal's id (`agent:support`, `agent:support/user:U-7`). */
  readonly principal: string;
  /** ISO time the run started. */
  readonly createdAt: string;
  /** ISO time of its last status change. */
  readonly updatedAt: string;
  readonly error?: string;
}

/** Limits a run ran under, as its checkpoint holds them (the fields of core's RunBudget that bound a run). */
export interface RunLimits {
  readonly maxSteps?: number;
  readonly maxTokens?: number;
  readonly maxCostUsd?: number;
  readonly maxWallTimeMs?: number;
  readonly dailyCostUsdPerPrincipal?: number;
}

/**
 * What the run's last checkpoint says it used and may use: the steps and active time the
 * journal does not record, and the limits. `limits` is undefined when the run had no limits
 * of its own (the workflow's compiled defaults applied, which the checkpoint does not copy).
 */
export interface RunBudgetState {
  /** Nodes executed to completion. */
  readonly steps: number;
  /** Time spent inside nodes, in ms (waits for a human excluded). */
  readonly activeMs: number;
  readonly limits?: RunLimits;
}
