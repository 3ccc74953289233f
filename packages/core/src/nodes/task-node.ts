import { formatIssues, GovernorError } from "@governor/errors";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { TaskNode } from "../workflow/node-definitions.js";

/**
 * The author's own deterministic step. Its update is checked against the state schema
 * before it reaches the checkpoint, so a bad update fails here, naming the node, and
 * never half-writes state.
 */
export function taskNode(id: string, node: TaskNode<GraphState>, services: NodeServices) {
  const partial = services.workflow.state.partial().strict();
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const update = (await node.run(state)) ?? {};
    const parsed = partial.safeParse(update);
    if (!parsed.success) {
      throw new GovernorError(
        "STATE_UPDATE_INVALID",
        `Task ${id} returned an invalid update: ${formatIssues(parsed.error.issues, "(update)")}`,
        { node: id, issues: parsed.error.issues },
      );
    }
    emit(config, { type: "task", node: id, fields: Object.keys(parsed.data) });
    return parsed.data;
  };
}
