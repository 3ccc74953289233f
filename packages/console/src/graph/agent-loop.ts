import type { Workflow } from "@governor/core";
import { type AgentDefinition, describeAgent, describeLoopStage, ownDescription } from "./describe-node.js";
import type { DiagramEdge, DiagramLoop, DiagramNode } from "./diagram.js";

/**
 * The nodes and edges an agent node compiles to, named and wired as core's `compile` does
 * (`ID → ID.checks → ID.gate → ID.tools (⇄ ID.approval) → ID`, see core's compile-agent.ts),
 * so the drawing is the graph a run moves through without compiling it. The graph tests
 * compare this with every sample's compiled graph, so a change there fails here.
 */
export function agentLoopDiagram(
  workflow: Workflow,
  id: string,
  node: AgentDefinition,
  exits: readonly DiagramEdge[],
): { nodes: DiagramNode[]; edges: DiagramEdge[]; loop: DiagramLoop } {
  const names = {
    checks: `${id}.checks`,
    gate: `${id}.gate`,
    tools: `${id}.tools`,
    approval: `${id}.approval`,
  };
  const stage = (name: string, kind: DiagramNode["kind"], text: string): DiagramNode => ({
    id: name,
    label: name,
    kind,
    description: text,
    loop: id,
  });
  const nodes: DiagramNode[] = [
    { id, label: id, kind: "agent", description: ownDescription(node) ?? describeAgent(node), loop: id },
    stage(names.checks, "precondition", describeLoopStage(workflow, node, "checks")),
    stage(names.gate, "gate", describeLoopStage(workflow, node, "gate")),
    stage(names.tools, "action", describeLoopStage(workflow, node, "tools")),
    stage(names.approval, "approval", describeLoopStage(workflow, node, "approval")),
  ];
  const outcome = (from: string, to: string, label: string): DiagramEdge => ({
    from,
    to,
    label,
    conditional: true,
  });
  const plain = (from: string, to: string): DiagramEdge => ({ from, to, conditional: false });
  const edges: DiagramEdge[] = [
    // The turn's own exits (done, limit) are the workflow's edges; "tool calls" enters the loop.
    ...exits.map((exit) => outcome(id, exit.to, exit.label ?? "done")),
    outcome(id, names.checks, "tool calls"),
    plain(names.checks, names.gate),
    plain(names.gate, names.tools),
    plain(names.approval, names.tools),
    outcome(names.tools, names.approval, "approval"),
    outcome(names.tools, id, "next turn"),
    ...(node.handoffs ?? []).map((target) => outcome(names.tools, target, `handoff:${target}`)),
  ];
  return { nodes, edges, loop: { id, label: `agent loop ${id} · at most ${node.maxTurns} turns` } };
}
