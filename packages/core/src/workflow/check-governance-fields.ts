import type { WorkflowIssue } from "@governor/errors";
import type { ApproverRegistry } from "@governor/identity";
import type { ApprovalNode, GateNode } from "./node-definitions.js";

/**
 * A gate's optional fields: fact callbacks are functions, `facts` replaces `context` and
 * `resource` (never both: which one would the policy see?), and a declaration that the gate
 * is sufficient names its reason.
 */
export function checkGateFields(path: string, node: GateNode<unknown>): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: `${path}.${at}`, message });
  for (const field of ["context", "resource", "facts"] as const) {
    if (node[field] !== undefined && typeof node[field] !== "function") {
      invalid(field, `a gate's ${field} must be a function (state, call) => value or Promise of it`);
    }
  }
  if (node.facts !== undefined && (node.context !== undefined || node.resource !== undefined)) {
    invalid(
      "facts",
      "declare facts (context and resource from one read) or context/resource, not both: the policy would see only one",
    );
  }
  const sufficient = node.sufficient as unknown;
  if (sufficient !== undefined) {
    const reason = (sufficient as { reason?: unknown } | null)?.reason;
    if (typeof sufficient !== "object" || typeof reason !== "string" || !reason.trim()) {
      invalid(
        "sufficient",
        'must be { reason: "…" }: say why the policy covers every check a precondition would make',
      );
    }
  }
  return issues;
}

/**
 * An approval step must have someone entitled to answer it. Without approvers a signing key
 * alone would decide (anyone holding it could approve as anyone), so the workflow is refused
 * before it runs; when the registry can list its approvers, one of them must hold the step's
 * required scope.
 */
export function checkApprovers(
  path: string,
  id: string,
  node: ApprovalNode<unknown>,
  approvers: ApproverRegistry | undefined,
): WorkflowIssue[] {
  const lifetime = node.decisionLifetimeMs;
  const issues: WorkflowIssue[] = [];
  if (
    lifetime !== undefined &&
    !(typeof lifetime === "number" && Number.isFinite(lifetime) && lifetime >= 1000)
  ) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}.decisionLifetimeMs`,
      message: "must be a number of milliseconds, at least 1000",
    });
  }
  if (!approvers || typeof approvers.findApprover !== "function") {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}`,
      message: `approval step ${id} has nobody entitled to decide it: declare the workflow's approvers (defineIdentity({ approvers: … })) so a signing key alone cannot approve`,
    });
    return issues;
  }
  if (
    typeof approvers.approversWith === "function" &&
    approvers.approversWith(node.requiredScope).length === 0
  ) {
    const need = node.requiredScope ? ` holding ${node.requiredScope}` : "";
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}${node.requiredScope ? ".requiredScope" : ""}`,
      message: `approval step ${id} has nobody entitled to decide it: no approver${need} is declared`,
    });
  }
  return issues;
}
