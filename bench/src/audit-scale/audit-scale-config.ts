import { count } from "../bench-config.js";

/** The goal: `governor audit verify` of a 100,000-record journal, the whole process, in at most this much CPU. */
export const AUDIT_VERIFY_GOAL_CPU_S = 5;
/** The scale the issue names; fewer records can fail the goal, not pass it. */
export const AUDIT_VERIFY_GOAL_RECORDS = 100_000;

export interface AuditScaleConfig {
  /** Records in the journal verified (`BENCH_AUDIT_RECORDS`, default 100,000). */
  readonly records: number;
  /** Timed `governor audit verify` processes of each kind, alternating (`BENCH_AUDIT_RUNS`, default 3; 0 skips). */
  readonly runs: number;
}

export function auditScaleConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AuditScaleConfig {
  return {
    records: count(env, "BENCH_AUDIT_RECORDS", AUDIT_VERIFY_GOAL_RECORDS, 100),
    runs: count(env, "BENCH_AUDIT_RUNS", 3, 0),
  };
}
