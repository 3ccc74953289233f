import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { CallScope } from "../gateway/tool-gateway.js";
import type { AgentLoopState, LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { AgentNode, AgentToolGovernance, GateNode } from "../workflow/node-definitions.js";
import { agentNodePrincipal } from "./agent-principal.js";

/** The names of the LangGraph nodes an agent node compiles to. */
export function loopNodes(id: string) {
  return {
    turn: id,
    checks: `${id}.checks`,
    gate: `${id}.gate`,
    approval: `${id}.approval`,
    tools: `${id}.tools`,
  } as const;
}

/** Which stage of which loop a compiled node name is, for nodes that belong to an agent loop. */
export type LoopStage = keyof ReturnType<typeof loopNodes>;

export function loopOf(state: GraphState, id: string): AgentLoopState {
  return state.governor.loops?.[id] ?? { turns: 0, calls: {} };
}

/** The current turn's calls no control has settled yet, in the order the model proposed them. */
export function openCalls(state: GraphState, id: string): LoopCall[] {
  return Object.values(loopOf(state, id).calls).filter((entry) => !entry.settled);
}

/** How a tool is governed in this agent (empty when nothing is declared). */
export function governanceOf(node: AgentNode<GraphState>, tool: string): AgentToolGovernance<GraphState> {
  return (node.govern && Object.hasOwn(node.govern, tool) ? node.govern[tool] : undefined) ?? {};
}

/** The tool's fact callbacks as a gate reads them, so facts are read and checked exactly as a gate's are. */
export function asGate(governance: AgentToolGovernance<GraphState>, guards: string): GateNode<GraphState> {
  return {
    kind: "gate",
    guards,
    context: governance.context,
    resource: governance.resource,
    facts: governance.facts,
    sufficient: governance.sufficient,
  };
}

/** Where a loop node decides: this run, this node, acting as the agent node's own principal. */
export function loopScope(
  config: LangGraphRunnableConfig,
  nodeName: string,
  node: AgentNode<GraphState>,
  services: NodeServices,
): CallScope {
  const scope = scopeOf(config, nodeName, services);
  return { ...scope, principal: agentNodePrincipal(scope.principal, node.agent) };
}

/** The loop's edge labels, as Studio and `governor graph` draw them. */
export const LOOP_ROUTES = {
  /** The model proposed tool calls: they go to the checks. */
  calls: "tool calls",
  /** Every call of the turn is settled: back to the model for its next turn. */
  next: "next turn",
} as const;
