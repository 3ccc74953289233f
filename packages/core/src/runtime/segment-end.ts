import type { GovernorError } from "@governor/errors";
import type { AuditJournal } from "@governor/observability";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { BudgetRequest } from "../budget/budget-request.js";
import type { RunStatus, RunStore } from "../store/run-store.js";
import { type InterruptedTasks, pendingApprovalRequests, pendingInterrupt, stopOf } from "./run-control.js";

/**
 * How a run's segment ended, read from its last checkpoint, not from what a client saw: the
 * runtime (its own runs) and the API-server recorder (Studio's) both decide it here.
 */
export type SegmentEnd =
  | {
      readonly status: "waiting";
      /** The first pending request, and every one (an agent turn may wait for several). */
      readonly approval: ApprovalRequest;
      readonly approvals: ApprovalRequest[];
      readonly data: Record<string, unknown>;
    }
  | { readonly status: "waiting"; readonly budget: BudgetRequest; readonly data: Record<string, unknown> }
  | { readonly status: "failed"; readonly stopped: GovernorError; readonly data: Record<string, unknown> }
  | { readonly status: "completed"; readonly data: Record<string, unknown> };

/**
 * Waiting for approvals (every pending request), waiting for budget, failed because a control
 * ended it (a human declined more budget: the reason is in the state), or completed. `data` is
 * what the run's audit record carries (`governor pending` and the console read the requests).
 */
export function segmentEnd(
  snapshot: InterruptedTasks & { readonly values: unknown },
  finished: ReadonlySet<string>,
): SegmentEnd {
  const approvals = pendingApprovalRequests(snapshot, finished);
  const [approval] = approvals;
  if (approval)
    return { status: "waiting", approval, approvals, data: { request: approval, requests: approvals } };
  const budget = pendingInterrupt<BudgetRequest>(snapshot, "budget");
  if (budget) return { status: "waiting", budget, data: { request: budget } };
  const stopped = stopOf(snapshot.values as Record<string, unknown>);
  if (stopped) return { status: "failed", stopped, data: { code: stopped.code, message: stopped.message } };
  return { status: "completed", data: {} };
}

/** Writes where a run stands now: its status in the run store and a `run` record in the journal. */
export async function recordRunStatus(
  stores: { readonly runs: Pick<RunStore, "setStatus">; readonly audit: Pick<AuditJournal, "append"> },
  run: { readonly threadId: string; readonly principal: string },
  status: RunStatus,
  data: Record<string, unknown>,
  error?: string,
): Promise<void> {
  await stores.runs.setStatus(run.threadId, status, error);
  await stores.audit.append({
    threadId: run.threadId,
    kind: "run",
    outcome: status,
    principal: run.principal,
    data,
  });
}
