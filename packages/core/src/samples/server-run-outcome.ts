import type { AuditJournal } from "@governor/observability";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { finishedTasks } from "../runtime/run-control.js";
import { recordRunStatus, segmentEnd } from "../runtime/segment-end.js";
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
    await recordRunStatus(stores, run, status, data, error);
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
  const end = segmentEnd(snapshot, finishedTasks(saved?.pendingWrites));
  // Steps left and no request waiting: the run stopped part-way (cancelled, its client gone with
  // on_disconnect=cancel, or a Studio breakpoint: interrupt_before/after). It stays "running", as
  // a run whose process died does: Studio continues it, or `governor recover` from its checkpoint.
  if (end.status === "completed" && snapshot.next.length) return "running";
  return finish(end.status, end.data, "stopped" in end ? end.stopped.message : undefined);
}
