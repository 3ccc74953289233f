import { MultiDirectedGraph } from "graphology";
import { stronglyConnectedComponents } from "graphology-components";
import { hasCycle } from "graphology-dag";
import { bidirectional } from "graphology-shortest-path/unweighted.js";
import type { WorkflowIssue } from "../errors/index.js";
import { type Edge, END, START, type Workflow } from "./define-workflow.js";
import type { WorkflowNode } from "./node-definitions.js";

/** Builds the workflow as a graphology graph, START and END included. */
export function toGraph(workflow: Workflow, edges: readonly Edge[]): MultiDirectedGraph {
  const graph = new MultiDirectedGraph();
  graph.addNode(START);
  graph.addNode(END);
  for (const id of Object.keys(workflow.nodes)) graph.addNode(id);
  for (const edge of edges) {
    if (graph.hasNode(edge.from) && graph.hasNode(edge.to)) graph.addEdge(edge.from, edge.to, { on: edge.on });
  }
  return graph;
}

/**
 * The checks that need the graph: no cycle, every node reachable, and every action
 * reachable from START only through its precondition and through its policy gate.
 */
export function checkGraph(workflow: Workflow, graph: MultiDirectedGraph): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];

  if (hasCycle(graph)) {
    for (const component of stronglyConnectedComponents(graph)) {
      const [only] = component;
      const selfLoop = component.length === 1 && only !== undefined && graph.hasDirectedEdge(only, only);
      if (component.length > 1 || selfLoop) {
        issues.push({
          code: "WORKFLOW_CYCLE",
          path: `nodes.${component[0]}`,
          message: `nodes ${component.join(" → ")} form a cycle; a workflow is a DAG: remove the edge that closes the loop`,
        });
      }
    }
  }

  for (const id of Object.keys(workflow.nodes)) {
    if (!bidirectional(graph, START, id)) {
      issues.push({ code: "WORKFLOW_UNREACHABLE", path: `nodes.${id}`, message: `${id} cannot be reached from START` });
    }
  }

  for (const [id, node] of Object.entries(workflow.nodes)) {
    if (node?.kind !== "action") continue;
    for (const kind of ["precondition", "gate"] as const) {
      issues.push(...checkGuarded(workflow, graph, id, kind));
    }
  }
  issues.push(...checkApprovalBranches(workflow, graph));
  return issues;
}

const GUARD_NAMES = { precondition: "precondition", gate: "policy gate" } as const;

/** The outcomes through which a guard lets a call on towards its action. */
const PASSING_OUTCOMES: Record<"precondition" | "gate", readonly string[]> = { precondition: ["pass"], gate: ["allow", "approval"] };

/**
 * An action is guarded when removing its guards' passing edges leaves it unreachable from
 * START. Removing the guard nodes instead would miss a refusal that leads on to the action
 * (a precondition's "fail" edge to the gate, e.g. swapped labels): it would run after a refusal.
 */
function checkGuarded(
  workflow: Workflow,
  graph: MultiDirectedGraph,
  action: string,
  kind: "precondition" | "gate",
): WorkflowIssue[] {
  const guards = Object.entries(workflow.nodes)
    .filter(([, node]) => node?.kind === kind && (node as { guards?: string }).guards === action)
    .map(([id]) => id);
  const name = GUARD_NAMES[kind];
  if (guards.length === 0) {
    return [{ code: "WORKFLOW_UNGUARDED_ACTION", path: `nodes.${action}`, message: `action ${action} has no ${name}; declare a ${kind} node with guards: "${action}"` }];
  }
  const withoutGuards = graph.copy();
  for (const guard of guards) {
    const passing = withoutGuards.filterOutEdges(guard, (_edge, attributes) => PASSING_OUTCOMES[kind].includes(attributes.on));
    for (const edge of passing) withoutGuards.dropEdge(edge);
  }
  const path = bidirectional(withoutGuards, START, action);
  if (!path) return [];
  return [
    {
      code: "WORKFLOW_UNGUARDED_ACTION",
      path: `nodes.${action}`,
      message: `action ${action} can be reached without passing its ${name} (${guards.join(", ")}): ${path.join(" → ")}`,
    },
  ];
}

/** A gate's approval branch must lead to an approval node for the same action: approvals are bound to what they approve. */
function checkApprovalBranches(workflow: Workflow, graph: MultiDirectedGraph): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  graph.forEachEdge((_edge, attributes, source, target) => {
    const from = workflow.nodes[source] as WorkflowNode<unknown> | undefined;
    if (from?.kind !== "gate" || attributes.on !== "approval") return;
    const to = workflow.nodes[target] as WorkflowNode<unknown> | undefined;
    if (to?.kind !== "approval" || to.guards !== from.guards) {
      issues.push({
        code: "WORKFLOW_INVALID",
        path: `nodes.${source}`,
        message: `the "approval" branch of gate ${source} goes to ${target}, which is not an approval node for ${from.guards}`,
      });
    }
  });
  return issues;
}
