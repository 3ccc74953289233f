import type { ExecutionControl } from "../control/execution-control.js";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { agentApprovalNode } from "./agent-approval-node.js";
import { agentChecksNode } from "./agent-checks-node.js";
import { agentGateNode } from "./agent-gate-node.js";
import { LOOP_ROUTES, loopNodes } from "./agent-loop-state.js";
import { agentToolsNode } from "./agent-tools-node.js";
import { agentTurnNode } from "./agent-turn-node.js";

type NodeFunction = (
  state: GraphState,
  config: import("@langchain/langgraph").LangGraphRunnableConfig,
) => Promise<unknown>;

/** One LangGraph node of a compiled agent loop, with what Studio and `drawMermaid()` show under it. */
export interface LoopNode {
  readonly name: string;
  readonly run: NodeFunction;
  readonly metadata: Record<string, unknown>;
}

/** The edges inside a loop, as the compiler adds them: plain, or conditional on the node's route. */
export interface LoopEdges {
  readonly plain: readonly (readonly [from: string, to: string])[];
  readonly conditional: readonly { readonly from: string; readonly targets: Record<string, string> }[];
}

/**
 * The nodes an agent node compiles to, so the loop is visible where each call is checked,
 * gated, approved and run: `ID → ID.checks → ID.gate → ID.tools (⇄ ID.approval) → ID`.
 * The turn node's own outcomes (done, limit) are the workflow's edges; the compiler adds
 * "tool calls" → ID.checks beside them; the loop edge back to the turn is "next turn".
 */
export function agentLoopNodes(
  id: string,
  node: AgentNode<GraphState>,
  services: NodeServices,
  control: ExecutionControl,
  hasLimitEdge: boolean,
): LoopNode[] {
  const names = loopNodes(id);
  const loop = { loop: id, maxTurns: node.maxTurns };
  const described = (text: string) => (node.description ? `${node.description}: ${text}` : text);
  return [
    {
      name: names.turn,
      run: agentTurnNode(id, node, services, control, hasLimitEdge) as NodeFunction,
      metadata: {
        governor: "agent",
        ...loop,
        tools: [...node.tools],
        description: described(`model turn (at most ${node.maxTurns} turns; the loop edge returns here)`),
      },
    },
    {
      name: names.checks,
      run: agentChecksNode(id, node, services) as NodeFunction,
      metadata: { governor: "precondition", ...loop, description: "contract and precondition of every call" },
    },
    {
      name: names.gate,
      run: agentGateNode(id, node, services) as NodeFunction,
      metadata: { governor: "gate", ...loop, description: "identity, facts and policy decide every call" },
    },
    {
      name: names.tools,
      run: agentToolsNode(id, node, services) as NodeFunction,
      metadata: { governor: "action", ...loop, description: "runs allowed and approved calls exactly once" },
    },
    {
      name: names.approval,
      run: agentApprovalNode(id, node, services) as NodeFunction,
      metadata: {
        governor: "approval",
        ...loop,
        description: "one interrupt for every call policy sent to a human",
      },
    },
  ];
}

/** The loop's own edges; `exits` are the turn node's workflow edges by outcome (done, limit). */
export function agentLoopEdges(
  id: string,
  node: AgentNode<GraphState>,
  exits: Readonly<Record<string, string>>,
): LoopEdges {
  const names = loopNodes(id);
  const handoffs = Object.fromEntries((node.handoffs ?? []).map((target) => [`handoff:${target}`, target]));
  return {
    plain: [
      [names.checks, names.gate],
      [names.gate, names.tools],
      [names.approval, names.tools],
    ],
    conditional: [
      { from: names.turn, targets: { ...exits, [LOOP_ROUTES.calls]: names.checks } },
      {
        from: names.tools,
        targets: { approval: names.approval, [LOOP_ROUTES.next]: names.turn, ...handoffs },
      },
    ],
  };
}
