import { END, isWorkflow, START, validate, type Workflow, type WorkflowEdge } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { agentLoopDiagram } from "./agent-loop.js";
import { type AgentDefinition, describeNode, ownDescription } from "./describe-node.js";
import type { Diagram, DiagramEdge, DiagramLoop, DiagramNode } from "./diagram.js";

/**
 * The nodes and edges a user should see for a workflow: every node of its compiled graph
 * (governance nodes and the stages of agent loops included) with its kind and a one-line
 * description, and every edge with the outcome that takes it.
 *
 * It reads the definition instead of compiling: compiling needs a model (or a placeholder),
 * journals and keys, and takes about a second a sample here, for a structure the definition
 * already fixes. Only `validate()` runs (no model, no store, no author code), so what is drawn
 * is a workflow that compiles, and an invalid one is refused with every problem.
 *
 * Stage names (`support.gate`) cannot collide with the author's nodes: validated node ids have no dot.
 *
 * @throws {GovernorError} WORKFLOW_INVALID when given anything but a workflow `defineWorkflow` made.
 * @throws {WorkflowValidationError} when the workflow does not validate (its issues, with paths).
 * @example
 * const svg = renderGraphSvg(diagramOf(refundSample.workflow), { current: ["refund_gate"] });
 */
export function diagramOf(workflow: Workflow): Diagram {
  if (!isWorkflow(workflow)) {
    throw new GovernorError(
      "WORKFLOW_INVALID",
      "Only a workflow can be drawn: pass what defineWorkflow() returns",
      {
        got: workflow === null ? "null" : typeof workflow,
      },
    );
  }
  validate(workflow);
  const edges = workflow.edges.map(edgeOf);
  const nodes: DiagramNode[] = [
    { id: START, label: "start", kind: "start", description: "Where every run of this workflow starts." },
  ];
  const drawn: DiagramEdge[] = [];
  const loops: DiagramLoop[] = [];
  for (const [id, node] of Object.entries(workflow.nodes)) {
    const exits = edges.filter((edge) => edge.from === id);
    if (node.kind === "agent") {
      const loop = agentLoopDiagram(workflow, id, node as AgentDefinition, exits);
      nodes.push(...loop.nodes);
      drawn.push(...loop.edges);
      loops.push(loop.loop);
      continue;
    }
    nodes.push({
      id,
      label: id,
      kind: node.kind,
      description: ownDescription(node) ?? describeNode(workflow, id, node),
    });
    drawn.push(...outcomeEdges(exits));
  }
  nodes.push({ id: END, label: "end", kind: "end", description: "Where a run ends." });
  drawn.unshift(...edges.filter((edge) => edge.from === START));
  // Frozen: renderGraphSvg keeps a diagram's layout, which must not go stale under it.
  return Object.freeze({
    workflow: workflow.name,
    nodes: Object.freeze(nodes.map((node) => Object.freeze(node))),
    edges: Object.freeze(drawn.map((edge) => Object.freeze(edge))),
    loops: Object.freeze(loops.map((loop) => Object.freeze(loop))),
  });
}

function edgeOf(edge: WorkflowEdge): DiagramEdge {
  const [from, to, on] = Array.isArray(edge)
    ? (edge as readonly string[])
    : [(edge as { from: string }).from, (edge as { to: string }).to, (edge as { on?: string }).on];
  return on === undefined
    ? { from: from as string, to: to as string, conditional: false }
    : { from: from as string, to: to as string, label: on, conditional: true };
}

/**
 * A node's exits as the compiler wires them: one plain edge alone always fires; beside
 * labelled outcomes, the plain edge is the "done" outcome and every exit is conditional.
 */
function outcomeEdges(exits: readonly DiagramEdge[]): DiagramEdge[] {
  if (!exits.some((edge) => edge.label !== undefined)) return [...exits];
  return exits.map((edge) => ({ ...edge, label: edge.label ?? "done", conditional: true }));
}
