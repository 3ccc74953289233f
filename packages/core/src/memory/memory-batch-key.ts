import type { FactWrite } from "@governor/memory";
import { hashOf } from "@governor/observability";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";

/**
 * The keys this node's memory batch is written under; the store writes a batch once for all
 * of them (a batch already written under any one returns its events and writes nothing).
 *
 * - The step: LangGraph runs a node again at the same step of the same thread when it resumes
 *   a run or recovers one whose worker died before the step was saved. Whatever `facts` returns
 *   the second time (a fresh `validFrom`, say), the batch is not written again.
 * - The content: a replay from an earlier checkpoint runs the node at a new step of a new
 *   checkpoint branch (LangGraph.js forks to replay). The same writes in the same thread are
 *   the same batch, so replaying an old run never puts its old decision back over a newer rule;
 *   a fork whose state changed writes what the node now decides.
 *
 * A parent graph's namespace (this graph run as a subgraph) is part of both. A stateless run
 * (no thread) is never re-run and gets no key.
 */
export function memoryBatchKeys(
  config: LangGraphRunnableConfig,
  node: string,
  writes: readonly FactWrite[],
): string[] {
  const place = placeOf(config, node);
  if (place === undefined) return [];
  const step = memoryStepKey(config, node);
  return [...(step ? [step] : []), `${place}|content:${hashOf({ writes })}`];
}

/** The step's key alone: for writes known only after a model call (extraction), checked before it. */
export function memoryStepKey(config: LangGraphRunnableConfig, node: string): string | undefined {
  const place = placeOf(config, node);
  const step = config.metadata?.langgraph_step;
  return place !== undefined && typeof step === "number" ? `${place}|step:${step}` : undefined;
}

/** Thread, parent tasks and node; undefined for a stateless run. */
function placeOf(config: LangGraphRunnableConfig, node: string): string | undefined {
  const thread = config.configurable?.thread_id;
  if (typeof thread !== "string" || thread === "") return undefined;
  const namespace = config.metadata?.langgraph_checkpoint_ns;
  // The last segment is this node's own task ("node:<task id>"); the rest names the parent tasks.
  const parents = typeof namespace === "string" ? namespace.split("|").slice(0, -1).join("|") : "";
  return [thread, parents, node].join("|");
}
