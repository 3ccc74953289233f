import { randomUUID } from "node:crypto";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import type { GateRecord } from "../graph/governor-channel.js";
import { currentCall, guardedTool, type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { GateNode } from "../workflow/node-definitions.js";
import { gateFactsRequest } from "./gate-facts.js";

const BRANCH = { allow: "allow", deny: "deny", "require-approval": "approval" } as const;

/**
 * A policy gate: identity, contract and policy decide the proposed call. A denial answers
 * the model with the reasons; require-approval leads to the approval node, carrying the
 * hash the approval will be bound to and a nonce its request id derives from.
 *
 * The gate's facts (context, resource) are awaited; facts that cannot be read or are not
 * plain data deny the call, audited with the reason: the run goes on, nothing is allowed.
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
    // Facts are read once identity and contract have passed, with the parsed arguments.
    const decision = await services.gateway.authorize(call, scope, (args) =>
      gateFactsRequest(
        id,
        node,
        state,
        { ...call, args },
        { principal: scope.principal, memory: services.memory },
      ),
    );
    emit(config, {
      type: "policy",
      node: id,
      tool,
      effect: decision.effect,
      stage: decision.stage,
      reasons: decision.reasons,
      policyIds: decision.policyIds,
    });
    // The nonce is drawn here, once: the gate's write is checkpointed, so the approval node
    // derives the same request id on every re-run, and a new decision is a new request.
    const gate: GateRecord = {
      ...decision,
      node: id,
      guards: node.guards,
      tool,
      callId: call.id,
      requestNonce: randomUUID(),
    };
    return {
      messages:
        decision.effect === "deny"
          ? [toolReply(call, `Refused by ${decision.stage}: ${decision.reasons.join("; ")}`, "error")]
          : [],
      governor: { gate, routes: { [id]: BRANCH[decision.effect] } },
    };
  };
}
