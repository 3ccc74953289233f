import type { WorkflowIssue } from "@governor/errors";
import { MultiDirectedGraph } from "graphology";
import { bidirectional } from "graphology-shortest-path/unweighted.js";
import { checkCycles, cycleThrough, shortestPath } from "./check-agent-loops.js";
import { type Edge, END, nodeOf, START, type Workflow } from "./define-workflow.js";
import type { WorkflowNode } from "./node-definitions.js";

/** The label of the edge from an agent to each agent it may hand the run to. */
const HANDOFF_EDGE = "handoff";

/**
 * Builds the workflow as a graphology graph, START and END included. An agent's handoffs
 * are edges too (labeled "handoff"): they are not in `workflow.edges`, but the run goes
 * there, so a specialist reached only by a handoff is reachable and a loop through a
 * handoff is a loop.
 */
export function toGraph(workflow: Workflow, edges: readonly Edge[]): MultiDirectedGraph {
  const graph = new MultiDirectedGraph();
  graph.addNode(START);
  graph.addNode(END);
  for (const id of Object.keys(workflow.nodes)) graph.addNode(id);
  for (const edge of edges) {
    if (graph.hasNode(edge.from) && graph.hasNode(edge.to))
      graph.addEdge(edge.from, edge.to, { on: edge.on });
  }
  for (const [id, node] of Object.entries(workflow.nodes)) {
    if (node?.kind !== "agent" || !Array.isArray(node.handoffs)) continue;
    for (const target of node.handoffs) {
      // Unknown or malformed targets are reported by the shape checks.
      if (typeof target === "string" && nodeOf(workflow, target))
        graph.addEdge(id, target, { on: HANDOFF_EDGE });
    }
  }
  return graph;
}

/**
 * The checks that need the graph: no unbounded cycle, every node reachable, and every action
 * reachable, from START and on every lap of a loop, only through its precondition and
 * through its policy gate.
 */
export function checkGraph(workflow: Workflow, graph: MultiDirectedGraph): WorkflowIssue[] {
  const issues: WorkflowIssue[] = checkCycles(workflow, graph);

  for (const id of Object.keys(workflow.nodes)) {
    if (!bidirectional(graph, START, id)) {
      issues.push({
        code: "WORKFLOW_UNREACHABLE",
        path: `nodes.${id}`,
        message: `${id} cannot be reached from START`,
      });
    }
  }

  for (const [id, node] of Object.entries(workflow.nodes)) {
    if (node?.kind !== "action") continue;
    issues.push(...checkGuarded(workflow, graph, id, "precondition", gateDeclaredSufficient(workflow, id)));
    const gateIssues = checkGuarded(workflow, graph, id, "gate");
    // A path that skips the gate also skips its decision: report it once.
    issues.push(...(gateIssues.length ? gateIssues : checkGuarded(workflow, graph, id, "decision")));
  }
  issues.push(...checkApprovalBranches(workflow, graph));
  return issues;
}

/**
 * What must stand on every path to an action: nodes of these kinds guarding it, passed
 * through one of these outcomes. `gate` checks the gate was passed at all; `decision` that
 * the call went on only after an allow or an approval (not after an approval's rejection).
 */
const GUARD_RULES = {
  precondition: { name: "precondition", passing: { precondition: ["pass"] } },
  gate: { name: "policy gate", passing: { gate: ["allow", "approval"] } },
  decision: { name: "policy allow or human approval", passing: { gate: ["allow"], approval: ["approved"] } },
} as const satisfies Record<string, { name: string; passing: Partial<Record<string, readonly string[]>> }>;

/**
 * An action is guarded when removing its guards' passing edges leaves it unreachable from
 * every place a call can come from: START, every model or agent step (each makes a new
 * proposal the guards never saw) and the action itself (what follows it starts a new lap of a
 * loop, so a gate passed in one lap says nothing about the next). Removing the guard nodes
 * instead would miss a refusal that leads on to the action (a precondition's "fail" edge to
 * the gate, e.g. swapped labels): it would run after a refusal.
 */
function checkGuarded(
  workflow: Workflow,
  graph: MultiDirectedGraph,
  action: string,
  rule: keyof typeof GUARD_RULES,
  /** A gate declared sufficient stands in for a missing precondition (never for a gate). */
  waived = false,
): WorkflowIssue[] {
  const { name, passing } = GUARD_RULES[rule];
  const passingOf = (node: WorkflowNode<unknown> | undefined): readonly string[] | undefined =>
    node && "guards" in node && node.guards === action && Object.hasOwn(passing, node.kind)
      ? (passing as Partial<Record<string, readonly string[]>>)[node.kind]
      : undefined;
  const guards = Object.keys(workflow.nodes).filter((id) => passingOf(nodeOf(workflow, id)));
  if (guards.length === 0) {
    if (rule === "decision") return []; // reported by the gate rule
    if (waived) return [];
    const kind = rule === "gate" ? "gate" : "precondition";
    return [
      {
        code: "WORKFLOW_UNGUARDED_ACTION",
        path: `nodes.${action}`,
        message:
          rule === "precondition"
            ? `action ${action} has no ${name}; declare a ${kind} node with guards: "${action}", or declare its gate sufficient: { reason } when its policy covers every check`
            : `action ${action} has no ${name}; declare a ${kind} node with guards: "${action}"`,
      },
    ];
  }
  const withoutGuards = graph.copy();
  for (const guard of guards) {
    const outcomes = passingOf(nodeOf(workflow, guard)) ?? [];
    for (const edge of withoutGuards.filterOutEdges(guard, (_edge, attributes) =>
      outcomes.includes(attributes.on),
    )) {
      withoutGuards.dropEdge(edge);
    }
  }
  const unguarded = (message: string): WorkflowIssue[] => [
    { code: "WORKFLOW_UNGUARDED_ACTION", path: `nodes.${action}`, message },
  ];
  const skipped = `without passing its ${name} (${guards.join(", ")})`;
  const fromStart = bidirectional(withoutGuards, START, action);
  if (fromStart) return unguarded(`action ${action} can be reached ${skipped}: ${fromStart.join(" → ")}`);
  const again = cycleThrough(withoutGuards, action);
  if (again) {
    const loop = loopThrough(workflow, graph, action, guards) ?? again;
    return unguarded(
      `action ${action} can be reached again ${skipped} in the loop ${loop.join(" → ")}: ${again.join(" → ")}`,
    );
  }
  for (const [id, node] of Object.entries(workflow.nodes)) {
    if (node?.kind !== "model" && node?.kind !== "agent") continue;
    const path = shortestPath(withoutGuards, [id], action);
    if (path) {
      return unguarded(
        `action ${action} can be reached ${skipped} after ${node.kind} step ${id} makes a new proposal: ${path.join(" → ")}`,
      );
    }
  }
  return [];
}

/**
 * The loop an action's guards sit in, for messages: from the action to one of its guards and
 * back, shown from its first model or agent step (where a lap's proposal is made).
 */
function loopThrough(
  workflow: Workflow,
  graph: MultiDirectedGraph,
  action: string,
  guards: readonly string[],
): string[] | undefined {
  let shortest: string[] | undefined;
  for (const guard of guards) {
    const there = shortestPath(graph, [action], guard);
    const back = there && shortestPath(graph, [guard], action);
    if (there && back && (!shortest || there.length + back.length - 1 < shortest.length)) {
      shortest = [...there, ...back.slice(1)];
    }
  }
  if (!shortest) return undefined;
  const lap = shortest.slice(0, -1);
  const head = lap.findIndex((id) => {
    const kind = nodeOf(workflow, id)?.kind;
    return kind === "model" || kind === "agent";
  });
  const rotated = head > 0 ? [...lap.slice(head), ...lap.slice(0, head)] : lap;
  return [...rotated, rotated[0] as string];
}

/**
 * True when a gate guarding `action` declares itself sufficient (with a reason): the author
 * says the policy covers every check, so the action may have no precondition node. Only
 * explicit: the gate rule still demands the gate on every path.
 */
export function gateDeclaredSufficient(workflow: Workflow, action: string): boolean {
  return Object.values(workflow.nodes).some(
    (node) =>
      node?.kind === "gate" &&
      node.guards === action &&
      typeof node.sufficient?.reason === "string" &&
      node.sufficient.reason.trim() !== "",
  );
}

/** A gate's approval branch must lead to an approval node for the same action: approvals are bound to what they approve. */
function checkApprovalBranches(workflow: Workflow, graph: MultiDirectedGraph): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  graph.forEachEdge((_edge, attributes, source, target) => {
    const from = nodeOf(workflow, source) as WorkflowNode<unknown> | undefined;
    if (from?.kind !== "gate" || attributes.on !== "approval") return;
    const to = nodeOf(workflow, target) as WorkflowNode<unknown> | undefined;
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
