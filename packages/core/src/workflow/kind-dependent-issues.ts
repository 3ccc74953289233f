import type { WorkflowIssue } from "@governor/errors";
import { isNodeKind } from "./check-shape.js";
import type { Edge, Workflow } from "./define-workflow.js";

/** Ids of the nodes whose kind is not one Governor knows (a typo such as "gaet"). */
export function nodesOfUnknownKind(workflow: Workflow): Set<string> {
  const unknown = new Set<string>();
  for (const [id, node] of Object.entries(workflow.nodes ?? {})) {
    if (!isNodeKind((node as { kind?: unknown } | undefined)?.kind)) unknown.add(id);
  }
  return unknown;
}

/**
 * Leaves out the issues that only follow from a node's unknown kind, so one typo reads as one
 * problem (checkShape's "unknown node kind") rather than a cascade: the outcomes its edges are
 * labelled with (a "gaet" has no "allow"), its missing next edge, the actions it was meant to
 * guard ("no policy gate"), the guards pointing at it ("a gate guards an action node") and a
 * cycle it may have bounded (a typo'd "agent"). These all come back, accurately, once the kind
 * is fixed. Unknown node names, unreachable nodes and problems elsewhere are kept.
 */
export function withoutKindCascade(
  workflow: Workflow,
  edges: readonly Edge[],
  issues: { readonly shape: readonly WorkflowIssue[]; readonly derived: readonly WorkflowIssue[] },
): WorkflowIssue[] {
  const unknown = nodesOfUnknownKind(workflow);
  if (!unknown.size) return [...issues.shape, ...issues.derived];
  const fromUnknown = new Set<number>();
  edges.forEach((edge, index) => {
    if (unknown.has(edge.from)) fromUnknown.add(index);
  });
  const guardedByUnknown = new Set<string>();
  for (const id of unknown) {
    const guards = (workflow.nodes[id] as { guards?: unknown } | undefined)?.guards;
    if (typeof guards === "string") guardedByUnknown.add(guards);
  }
  const guardsUnknown = (issue: WorkflowIssue) => {
    const node = /^nodes\.([^.]+)\.guards$/.exec(issue.path);
    const guarded = node?.[1] && (workflow.nodes[node[1]] as { guards?: unknown } | undefined)?.guards;
    return typeof guarded === "string" && unknown.has(guarded);
  };
  // The shape checks report the typo itself (and skip the unknown node's fields): only a
  // guard pointing at the unknown node is a consequence there.
  const shape = issues.shape.filter((issue) => !guardsUnknown(issue));
  const mentions = [...unknown].map((id) => new RegExp(`(^|[^\\w-])${escapeRegExp(id)}([^\\w-]|$)`));
  const derived = issues.derived.filter((issue) => {
    if (issue.code === "WORKFLOW_UNKNOWN_NODE" || issue.code === "WORKFLOW_UNREACHABLE") return true;
    const edge = /^edges\[(\d+)\]/.exec(issue.path);
    if (edge && fromUnknown.has(Number(edge[1]))) return false;
    const node = /^nodes\.([^.]+)(?:\.(.+))?$/.exec(issue.path);
    if (node?.[1] !== undefined) {
      const [, id, field] = node;
      if (unknown.has(id)) return false;
      if (issue.code === "WORKFLOW_UNGUARDED_ACTION" && guardedByUnknown.has(id)) return false;
      if (field === "guards" && guardsUnknown(issue)) return false;
    }
    // Any other derived finding that names the node (an approval branch "goes to approve,
    // which is not an approval node") reasons from its kind.
    if (mentions.some((pattern) => pattern.test(issue.message))) return false;
    return issue.code !== "WORKFLOW_CYCLE";
  });
  return [...shape, ...derived];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
