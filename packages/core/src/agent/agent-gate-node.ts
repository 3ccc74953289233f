import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { GatewayDecision } from "../gateway/tool-gateway.js";
import { emit } from "../graph/events.js";
import type { LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { gateFactsRequest } from "../nodes/gate-facts.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { asGate, governanceOf, loopNodes, loopScope, openCalls } from "./agent-loop-state.js";

/**
 * An agent loop's policy gate, for every call that passed its checks: identity, contract,
 * the tool's facts (awaited; unreadable facts deny) and the policy, through the gateway,
 * one audited decision per call. A denial answers the model; an allow or a require-approval
 * is kept with the call's hash, which the approval and the execution are bound to.
 *
 * A call the policy sends to a human when nobody can answer (no approvers declared, no keys
 * to verify them) is refused here rather than left waiting forever.
 */
export function agentGateNode(id: string, node: AgentNode<GraphState>, services: NodeServices) {
  const names = loopNodes(id);
  const nobodyToAsk = !services.approvals || !services.workflow.approvers;
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = loopScope(config, names.gate, node, services);
    const messages: BaseMessage[] = [];
    const calls: Record<string, Partial<LoopCall>> = {};
    for (const entry of openCalls(state, id)) {
      if (entry.gate || !entry.check?.ok) continue;
      const { call } = entry;
      const gate = asGate(governanceOf(node, call.tool), names.tools);
      let decision: GatewayDecision = await services.gateway.authorize(call, scope, (args) =>
        gateFactsRequest(
          names.gate,
          gate,
          state,
          { ...call, args },
          { principal: scope.principal, memory: services.memory },
        ),
      );
      if (decision.effect === "require-approval" && nobodyToAsk) {
        const reason =
          "policy asks for a human approval, but this workflow names no approvers who could give one";
        await services.gateway.audit.append({
          threadId: scope.threadId,
          kind: "approval",
          outcome: "rejected",
          node: names.gate,
          tool: call.tool,
          principal: scope.principal.id,
          data: { callId: call.id, callHash: decision.callHash, reason },
          dedupeKey: `${scope.threadId}:${call.id}:${names.gate}:no-approvers`,
        });
        decision = {
          ...decision,
          effect: "deny",
          reasons: [...decision.reasons, reason],
        };
      }
      emit(config, {
        type: "policy",
        node: names.gate,
        tool: call.tool,
        effect: decision.effect,
        stage: decision.stage,
        reasons: decision.reasons,
        policyIds: decision.policyIds,
      });
      const record = {
        ...decision,
        node: names.gate,
        guards: names.tools,
        tool: call.tool,
        callId: call.id,
        // Drawn once, checkpointed with the decision: the approval request's id derives from it.
        requestNonce: randomUUID(),
      };
      calls[call.id] = decision.effect === "deny" ? { gate: record, settled: "refused" } : { gate: record };
      if (decision.effect === "deny") {
        messages.push(
          toolReply(call, `Refused by ${decision.stage}: ${decision.reasons.join("; ")}`, "error"),
        );
      }
    }
    return { messages, governor: { loops: { [id]: { calls } } } };
  };
}
