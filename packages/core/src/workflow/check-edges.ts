import type { WorkflowIssue } from "@governor/errors";
import { type Edge, END, nodeOf, START, type Workflow } from "./define-workflow.js";
import { outcomesOf } from "./node-definitions.js";

/**
 * Every edge names known nodes and a label its source can produce, and every node has
 * exactly the outgoing edges its kind needs: a branch with no edge is a route to nowhere.
 */
export function checkEdges(workflow: Workflow, edges: readonly Edge[]): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const outgoing = new Map<string, { edge: Edge; index: number }[]>();

  edges.forEach((edge, index) => {
    const path = `edges[${index}]`;
    const where = `(${edge.from} → ${edge.to}${edge.on ? ` on "${edge.on}"` : ""})`;
    if (edge.from === END) issues.push({ code: "WORKFLOW_INVALID", path, message: `${where} leaves END` });
    else if (edge.from !== START && !nodeOf(workflow, edge.from)) {
      issues.push({
        code: "WORKFLOW_UNKNOWN_NODE",
        path: `${path}.from`,
        message: `${where}: no node named "${edge.from}"`,
      });
    }
    if (edge.to === START) issues.push({ code: "WORKFLOW_INVALID", path, message: `${where} enters START` });
    else if (edge.to !== END && !nodeOf(workflow, edge.to)) {
      issues.push({
        code: "WORKFLOW_UNKNOWN_NODE",
        path: `${path}.to`,
        message: `${where}: no node named "${edge.to}"`,
      });
    }
    const list = outgoing.get(edge.from) ?? [];
    list.push({ edge, index });
    outgoing.set(edge.from, list);
  });

  const startEdges = outgoing.get(START) ?? [];
  if (startEdges.length !== 1 || startEdges[0]?.edge.on) {
    issues.push({
      code: "WORKFLOW_DEAD_END",
      path: "edges",
      message: "START needs exactly one unlabeled edge to the first node",
    });
  }

  for (const [id, node] of Object.entries(workflow.nodes)) {
    if (!node || typeof node !== "object") continue;
    const { next, required, optional } = outcomesOf(node);
    const labels = new Set([...required, ...optional]);
    const seen = new Set<string>();
    let unlabeled = 0;
    for (const { edge, index } of outgoing.get(id) ?? []) {
      const path = `edges[${index}]`;
      if (edge.on === undefined) {
        unlabeled++;
        if (!next) {
          issues.push({
            code: "WORKFLOW_INVALID",
            path,
            message: `${id} is a ${node.kind} node: its edges need an "on" label, one of ${[...labels].join(", ")}`,
          });
        } else if (unlabeled > 1) {
          issues.push({
            code: "WORKFLOW_INVALID",
            path,
            message: `${id} has more than one unlabeled edge; use a route node to branch`,
          });
        }
      } else if (!labels.has(edge.on)) {
        issues.push({
          code: "WORKFLOW_DEAD_END",
          path: `${path}.on`,
          message: `${id} (${node.kind}) has no outcome "${edge.on}"${labels.size ? `; its outcomes are ${[...labels].join(", ")}` : ""}`,
        });
      } else if (seen.has(edge.on)) {
        issues.push({ code: "WORKFLOW_INVALID", path, message: `${id} has two edges for "${edge.on}"` });
      } else {
        seen.add(edge.on);
      }
    }
    if (next && unlabeled === 0) {
      issues.push({
        code: "WORKFLOW_DEAD_END",
        path: `nodes.${id}`,
        message: `${id} has no outgoing edge; add one (to END if the run stops there)`,
      });
    }
    for (const label of required) {
      if (!seen.has(label)) {
        issues.push({
          code: "WORKFLOW_DEAD_END",
          path: `nodes.${id}`,
          message: `${id} (${node.kind}) can take the "${label}" branch but no edge leaves on it: a route to nowhere`,
        });
      }
    }
  }
  return issues;
}
