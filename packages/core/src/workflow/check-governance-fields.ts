import type { WorkflowIssue } from "@governor/errors";
import type { ApproverRegistry } from "@governor/identity";
import type { ApprovalNode, GateNode } from "./node-definitions.js";

/** What a gate and an agent's per-tool governance share: fact callbacks and a sufficiency declaration. */
type GateFields = Pick<GateNode<unknown>, "context" | "resource" | "facts" | "sufficient">;

/**
 * A gate's optional fields: fact callbacks are functions, `facts` replaces `context` and
 * `resource` (never both: which one would the policy see?), and a declaration that the gate
 * is sufficient names its reason. An agent's `govern[tool]` entry declares the same fields
 * for one tool, so it is checked here too (`owner` names it in messages).
 */
export function checkGateFields(path: string, node: GateFields, owner = "a gate"): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: `${path}.${at}`, message });
  for (const field of ["context", "resource", "facts"] as const) {
    if (node[field] !== undefined && typeof node[field] !== "function") {
      invalid(field, `${owner}'s ${field} must be a function (state, call) => value or Promise of it`);
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
  const issues = checkApprovalTimes(path, node);
  if (!approvers || typeof approvers.findApprover !== "function") {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}`,
      message: `approval step ${id} has nobody entitled to decide it: declare the workflow's approvers (defineIdentity({ approvers: … })) so a signing key alone cannot approve`,
    });
    return issues;
  }
  if (!hasApproverWith(approvers, node.requiredScope)) {
    const need = node.requiredScope ? ` holding ${node.requiredScope}` : "";
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}${node.requiredScope ? ".requiredScope" : ""}`,
      message: `approval step ${id} has nobody entitled to decide it: no approver${need} is declared`,
    });
  }
  return issues;
}

/**
 * How long a request stays answerable and how long a signed decision may live: both
 * positive when given, and a decision lifetime of at least a second (a shorter one expires
 * before any human could sign it).
 */
export function checkApprovalTimes(
  path: string,
  approval: Pick<ApprovalNode<unknown>, "expiresInMs" | "decisionLifetimeMs">,
): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const lifetime = approval.decisionLifetimeMs;
  if (lifetime !== undefined && !(isFiniteNumber(lifetime) && lifetime >= 1000)) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}.decisionLifetimeMs`,
      message: "must be a number of milliseconds, at least 1000",
    });
  }
  const expires = approval.expiresInMs;
  if (expires !== undefined && !(isFiniteNumber(expires) && expires > 0)) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}.expiresInMs`,
      message: "must be a positive number of milliseconds",
    });
  }
  return issues;
}

/**
 * True when some approver may answer a request needing `scope`. A registry that cannot list
 * its approvers is trusted (it answers per approver at decision time); no registry at all
 * has nobody.
 */
export function hasApproverWith(approvers: ApproverRegistry | undefined, scope: string | undefined): boolean {
  if (!approvers || typeof approvers.findApprover !== "function") return false;
  if (typeof approvers.approversWith !== "function") return true;
  return approvers.approversWith(scope).length > 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
