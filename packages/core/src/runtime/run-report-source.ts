/**
 * A stored run as the run reports read it (its summary, model records, budget state), shared by
 * `governor runs`/`cost` and the web console so both describe a run the same way.
 */

import { GovernorError } from "@governor/errors";
import type { AuditRecord, RunBudgetState, RunLimits, RunSummary } from "@governor/observability";
import type { RunRecord } from "../store/run-store.js";
import type { GovernorRuntime } from "./governor-runtime.js";

/** The registry's row as the run-report model takes it: the principal by its id. */
export function runSummaryOf(run: RunRecord): RunSummary {
  return {
    threadId: run.threadId,
    workflow: run.workflow,
    status: run.status,
    principal: run.principal.id,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.error !== undefined ? { error: run.error } : {}),
  };
}

/** A run's "model" records: what its cost and tokens are summed from (an indexed lookup, not the whole thread). */
export async function modelRecordsOf(runtime: GovernorRuntime, threadId: string): Promise<AuditRecord[]> {
  return runtime.store.audit.find({ threadId, kind: "model" });
}

/**
 * The run a user named by its thread id or by the start of it (listings abbreviate ids).
 *
 * @throws {GovernorError} RUN_NOT_FOUND when no run has that id or prefix, or several do.
 */
export async function findRun(runtime: GovernorRuntime, thread: string): Promise<RunRecord> {
  const exact = await runtime.store.runs.get(thread);
  if (exact) return exact;
  const matches = thread.length >= 4 ? await runtime.store.runs.withPrefix(thread, 3) : [];
  const [only] = matches;
  if (only && matches.length === 1) return only;
  const where = runtime.store.location;
  throw new GovernorError(
    "RUN_NOT_FOUND",
    matches.length > 1
      ? `Thread id ${thread} is ambiguous in ${where}: it starts ${matches.map((run) => run.threadId).join(", ")}${matches.length > 2 ? ", …" : ""}; give more of it`
      : `No run with thread id ${thread} in ${where}: see governor runs for the runs it holds`,
    { threadId: thread },
  );
}

const LIMITS = ["maxSteps", "maxTokens", "maxCostUsd", "maxWallTimeMs", "dailyCostUsdPerPrincipal"] as const;

/**
 * Steps, active time and limits from the run's last checkpoint: the journal records
 * decisions, not every node, so only the checkpoint knows how many steps ran. Undefined when
 * the run has no checkpoint (refused before its first step) or it cannot be read: the report
 * then says so instead of failing.
 */
export async function budgetStateOf(
  runtime: GovernorRuntime,
  threadId: string,
): Promise<RunBudgetState | undefined> {
  try {
    const saved = await runtime.store.checkpointer.getTuple({
      configurable: { thread_id: threadId, checkpoint_ns: "" },
    });
    const governor = saved?.checkpoint.channel_values.governor as
      | { usage?: { steps?: unknown; activeMs?: unknown }; budget?: Record<string, unknown> | null }
      | undefined;
    const usage = governor?.usage;
    if (!usage || typeof usage.steps !== "number") return undefined;
    const limits: Record<string, number> = {};
    for (const key of LIMITS) {
      const value = governor.budget?.[key];
      if (typeof value === "number") limits[key] = value;
    }
    return {
      steps: usage.steps,
      activeMs: typeof usage.activeMs === "number" ? usage.activeMs : 0,
      ...(Object.keys(limits).length ? { limits: limits as RunLimits } : {}),
    };
  } catch {
    // A checkpoint this version cannot read costs the report its step count, nothing more.
    return undefined;
  }
}
