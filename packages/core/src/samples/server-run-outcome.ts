import type { AuditJournal } from "@governor/observability";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { BudgetRequest } from "../budget/budget-request.js";
import { finishedTasks, pendingApprovalRequests, pendingInterrupt, stopOf } from "../runtime/run-control.js";
import type { RunStatus, RunStore } from "../store/run-store.js";

/** What the server's run left behind, read back through the graph that ran it. */
interface ReadsState {
  getState(config: { configurable: { thread_id: string } }): Promise<{
    values: unknown;
    next: readonly string[];
    tasks: readonly { id?: string; interrupts?: readonly { id?: string; value?: unknown }[] }[];
  }>;
}

/** Where a server run's outcome is written: the same run store and journal the runtime writes. */
export interface OutcomeStores {
  readonly runs: RunStore;
  readonly audit: AuditJournal;
  readonly checkpointer: BaseCheckpointSaver;
}

/**
 * Records how a run driven by LangGraph's API server ended this segment, as the runtime
 * records its own runs: the run's status (waiting / completed / failed) and a `run` audit
 * record whose `waiting` data lists the requests, which is what `governor pending` and the
 * console read. The checkpoint decides, not the stream: a run that stopped at an approval
 * waits whatever the client saw.
 */
export async function recordServerOutcome(
  graph: ReadsState,
  stores: OutcomeStores,
  run: { readonly threadId: string; readonly principal: string },
  failure?: unknown,
): Promise<RunStatus> {
  const finish = async (status: RunStatus, data: Record<string, unknown>, error?: string) => {
    await stores.runs.setStatus(run.threadId, status, error);
    await stores.audit.append({
      threadId: run.threadId,
      kind: "run",
      outcome: status,
      principal: run.principal,
      data,
    });
    return status;
  };
  if (failure !== undefined) {
    const message = failure instanceof Error ? failure.message : String(failure);
    const code = (failure as { code?: unknown }).code;
    return finish("failed", { code: typeof code === "string" ? code : "TOOL_FAILED", message }, message);
  }
  const config = { configurable: { thread_id: run.threadId } };
  const snapshot = await graph.getState(config);
  const saved = await stores.checkpointer.getTuple({
    configurable: { thread_id: run.threadId, checkpoint_ns: "" },
  });
  const approvals = pendingApprovalRequests(snapshot, finishedTasks(saved?.pendingWrites));
  const [approval] = approvals;
  if (approval) return finish("waiting", { request: approval, requests: approvals });
  const budget = pendingInterrupt<BudgetRequest>(snapshot, "budget");
  if (budget) return finish("waiting", { request: budget });
  const stopped = stopOf(snapshot.values as Record<string, unknown>);
  if (stopped) return finish("failed", { code: stopped.code, message: stopped.message }, stopped.message);
  // Steps left and no request waiting: the run stopped part-way (cancelled, its client gone with
  // on_disconnect=cancel, or a Studio breakpoint: interrupt_before/after). It stays "running", as
  // a run whose process died does: Studio continues it, or `governor recover` from its checkpoint.
  if (snapshot.next.length) return "running";
  return finish("completed", {});
}
