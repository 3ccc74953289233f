import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { compile } from "../graph/compile.js";
import type { GovernorStores } from "../store/governor-stores.js";
import type { Workflow } from "../workflow/define-workflow.js";

/** Each task node's recorded state updates, in the order the run made them. */
export type RecordedTaskWrites = ReadonlyMap<string, readonly Record<string, unknown>[]>;

/**
 * What each task node of a run wrote to the state, read from the run's LangGraph checkpoint
 * history: each step's finished tasks carry their writes (`tasks[].result`). Only the
 * workflow's own state fields are kept; Governor's channel is the scratch run's own business.
 *
 * The original workflow is compiled over the original store to read the history: reading
 * runs no node and writes nothing. `model` is only there because compile() wants one for
 * model steps; it is never called.
 */
export async function recordedTaskWrites(
  store: GovernorStores,
  workflow: Workflow,
  threadId: string,
  model: BaseChatModel,
): Promise<RecordedTaskWrites> {
  const tasks = new Set(
    Object.entries(workflow.nodes)
      .filter(([, node]) => node.kind === "task")
      .map(([id]) => id),
  );
  const writes = new Map<string, Record<string, unknown>[]>();
  if (!tasks.size) return writes;
  const graph = compile(workflow, {
    model,
    cheapModel: model,
    checkpointer: store.checkpointer,
    ...store.graphServices(),
  });
  const fields = new Set(Object.keys(workflow.state.shape));
  const snapshots = [];
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) {
    snapshots.push(snapshot);
  }
  // History comes newest first; the run made its writes oldest first.
  for (const snapshot of snapshots.reverse()) {
    for (const task of snapshot.tasks) {
      const result = (task as { result?: unknown }).result;
      if (!tasks.has(task.name) || !isRecord(result)) continue;
      const update = Object.fromEntries(Object.entries(result).filter(([key]) => fields.has(key)));
      writes.set(task.name, [...(writes.get(task.name) ?? []), update]);
    }
  }
  return writes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
