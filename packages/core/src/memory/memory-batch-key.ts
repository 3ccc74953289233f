import type { LangGraphRunnableConfig } from "@langchain/langgraph";

/**
 * The identity of this node's task, as the key its memory batch is written under.
 *
 * LangGraph names each task after the checkpoint it runs from, its step and its node
 * (`langgraph_checkpoint_ns` is `node:<task id>`), and gives a task the same id when it runs
 * again from the same checkpoint: a resume after an interrupt elsewhere in the step, a recovery
 * after a crash before the step was saved, a replay. So a re-run finds its batch and writes
 * nothing, while a later visit of the node (another step) or a fork (a new checkpoint) is a
 * new task and writes. A stateless run (no thread) is never re-run and gets no key.
 */
export function memoryBatchKey(config: LangGraphRunnableConfig, node: string): string | undefined {
  const thread = config.configurable?.thread_id;
  if (typeof thread !== "string" || thread === "") return undefined;
  const metadata = config.metadata ?? {};
  const task = metadata.langgraph_checkpoint_ns ?? metadata.checkpoint_ns;
  const step = metadata.langgraph_step;
  if (typeof task === "string" && task !== "") return `${thread}|${task}`;
  // Outside LangGraph's task bookkeeping, the step still tells one visit from the next.
  return typeof step === "number" ? `${thread}|${node}|step:${step}` : undefined;
}
