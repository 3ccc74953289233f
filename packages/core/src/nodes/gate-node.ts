import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import type { GateRecord } from "../graph/governor-channel.js";
import { currentCall, guardedTool, type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { GateNode } from "../workflow/node-definitions.js";

const BRANCH = { allow: "allow", deny: "deny", "require-approval": "approval" } as const;

/**
 * A policy gate: identity, contract and policy decide the proposed call. A denial answers
 * the model with the reasons; require-approval leads to the approval node, carrying the
 * hash the approval will be bound to.
 */
export function gateNode(id: string, node: GateNode<GraphState>, services: NodeServices) {
  const tool = guardedTool(services, node.guards);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const call = currentCall(state, tool);
    if (!call) {
      emit(config, {
        type: "policy",
        node: id,
        tool,
        effect: "deny",
        stage: "tool",
        reasons: [`no proposed call to ${tool}`],
        policyIds: [],
      });
      return { governor: { gate: null, routes: { [id]: "deny" } } };
    }
    const decision = await services.gateway.authorize(call, scope, {
      context: node.context?.(state, call),
      resource: node.resource?.(state, call),
    });
    emit(config, {
      type: "policy",
      node: id,
      tool,
      effect: decision.effect,
      stage: decision.stage,
      reasons: decision.reasons,
      policyIds: decision.policyIds,
    });
    const gate: GateRecord = { ...decision, node: id, guards: node.guards, tool, callId: call.id };
    return {
      messages:
        decision.effect === "deny"
          ? [toolReply(call, `Refused by ${decision.stage}: ${decision.reasons.join("; ")}`, "error")]
          : [],
      governor: { gate, routes: { [id]: BRANCH[decision.effect] } },
    };
  };
}
