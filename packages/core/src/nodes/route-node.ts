import { GovernorError } from "@governor/errors";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { RouteNode } from "../workflow/node-definitions.js";

/** A conditional branch made visible as a node, so Studio shows where the run chose. */
export function routeNode(id: string, node: RouteNode<GraphState>) {
  const branches = new Set(node.branches);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const branch = node.decide(state, state.governor.proposal ?? undefined);
    if (!branches.has(branch)) {
      throw new GovernorError(
        "ROUTE_INVALID",
        `Route ${id} chose "${String(branch)}", which is not one of its branches (${node.branches.join(", ")})`,
        { node: id, branch },
      );
    }
    emit(config, { type: "route", node: id, branch });
    return { governor: { routes: { [id]: branch } } };
  };
}
