import { type WorkflowIssue, WorkflowValidationError } from "@governor/errors";
import { checkEdges } from "./check-edges.js";
import { checkGraph, toGraph } from "./check-graph.js";
import { checkShape, isInheritedName } from "./check-shape.js";
import { checkToolInputs } from "./check-tool-inputs.js";
import { normalizeEdge, type Workflow } from "./define-workflow.js";
import { withoutKindCascade } from "./kind-dependent-issues.js";

/**
 * Lists everything wrong with a workflow: shape (agent nodes' tools, bounds, governance,
 * identity and handoffs included), edges, cycles (a loop must take an agent turn on every
 * lap), reachability and guards (on every path, and on every lap of a loop).
 * An empty list means it can be compiled.
 */
export function findWorkflowIssues(workflow: Workflow): WorkflowIssue[] {
  const shapeIssues = [...checkShape(workflow), ...checkToolInputs(workflow)];
  if (!Array.isArray(workflow.edges)) {
    return [
      ...shapeIssues,
      { code: "WORKFLOW_INVALID", path: "edges", message: "must be an array of edges" },
    ];
  }
  if (!workflow.nodes || typeof workflow.nodes !== "object") return shapeIssues;
  const malformed: WorkflowIssue[] = [];
  const edges = workflow.edges.flatMap((edge, index) => {
    const normalized = edge && typeof edge === "object" ? normalizeEdge(edge) : undefined;
    if (typeof normalized?.from === "string" && typeof normalized.to === "string") return [normalized];
    malformed.push({
      code: "WORKFLOW_INVALID",
      path: `edges[${index}]`,
      message: "an edge is [from, to], [from, to, on] or { from, to, on? } with node ids",
    });
    return [];
  });
  if (malformed.length) return [...shapeIssues, ...malformed];
  const edgeIssues = checkEdges(workflow, edges);
  // The graph library keys plain objects by node id: with an inherited name among the ids
  // (already reported) its path search answers nonsense, so the graph checks wait for a rename.
  if (Object.keys(workflow.nodes).some(isInheritedName)) {
    return withoutKindCascade(workflow, edges, { shape: shapeIssues, derived: edgeIssues });
  }
  return withoutKindCascade(workflow, edges, {
    shape: shapeIssues,
    derived: [
      ...edgeIssues,
      ...checkGraph(workflow, toGraph(workflow, edges)),
      // The policy's view of each tool's arguments (a Cedar schema) against the tool's zod contract.
      ...(Array.isArray(workflow.tools) ? (workflow.policy?.checkContracts?.(workflow.tools) ?? []) : []),
    ],
  });
}

/**
 * Refuses a workflow that must not run.
 *
 * @throws {WorkflowValidationError} carrying every issue; its code is the first issue's
 *   (WORKFLOW_CYCLE, WORKFLOW_UNREACHABLE, WORKFLOW_UNKNOWN_NODE, WORKFLOW_UNKNOWN_TOOL,
 *   WORKFLOW_DEAD_END, WORKFLOW_UNGUARDED_ACTION or WORKFLOW_INVALID).
 */
export function validate(workflow: Workflow): void {
  const issues = findWorkflowIssues(workflow);
  if (issues.length) throw new WorkflowValidationError(workflow?.name ?? "(unnamed)", issues);
}
