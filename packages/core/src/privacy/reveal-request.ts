import { GovernorError } from "@governor/errors";
import type { ApproverRegistry } from "@governor/identity";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { GovernorRuntime, RunOptions } from "../runtime/governor-runtime.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { maskForDisplay } from "./audit-mask.js";

/** A pending request shown unmasked to one approver, and which of its fields were masked. */
export interface RevealedRequest {
  readonly request: ApprovalRequest;
  /** Top-level arguments (and `summary`) that hold personal data: what the approver now saw. */
  readonly fields: readonly string[];
}

/**
 * The pending approval of a run with its real arguments, for an approver entitled to decide
 * it. Displays mask personal data by default; this is the one way to see it, and it is
 * audited either way: an `approval` record with outcome `reveal` saying who saw which fields
 * of which request, or `reveal-refused` when the approver was not entitled.
 *
 * The real values come from the run's checkpoint (the audit journal keeps only masked
 * values and their hashes). Entitlement is the same as for deciding: the workflow's
 * approvers, holding the request's `requiredScope`.
 *
 * When an agent turn waits for several approvals, `options.requestId` names the one to
 * reveal: each request is revealed (and audited) on its own, never all at once by default.
 *
 * @throws {GovernorError} RUN_NOT_INTERRUPTED when the run waits for no approval.
 * @throws {GovernorError} APPROVAL_INVALID when `approver` may not decide this request (or
 *   the workflow names no approvers), when `requestId` is not pending, or when several
 *   requests wait and none is named; nothing is revealed.
 */
export async function revealPendingRequest(
  runtime: GovernorRuntime,
  workflow: Workflow,
  threadId: string,
  approver: string,
  options: Pick<RunOptions, "model" | "models"> & { readonly requestId?: string } = {},
): Promise<RevealedRequest> {
  const requests = await runtime.pendingApprovals(workflow, threadId, options);
  if (!requests.length) {
    throw new GovernorError(
      "RUN_NOT_INTERRUPTED",
      `Run ${threadId} waits for no approval: nothing to reveal`,
      {
        threadId,
      },
    );
  }
  const request = requestToReveal(threadId, requests, options.requestId);
  const fields = maskedFields(request);
  const refusal = entitlementProblem(workflow, approver, request.requiredScope);
  await runtime.store.audit.append({
    threadId,
    kind: "approval",
    outcome: refusal ? "reveal-refused" : "reveal",
    node: request.node,
    tool: request.tool,
    principal: approver,
    data: {
      requestId: request.requestId,
      callHash: request.callHash,
      fields,
      ...(refusal ? { reasons: [refusal] } : {}),
    },
  });
  if (refusal) {
    throw new GovernorError("APPROVAL_INVALID", `${refusal}; the request stays masked`, {
      threadId,
      approver,
      requestId: request.requestId,
    });
  }
  return { request, fields };
}

/** The request named, or the only one pending; several pending and none named reveals nothing. */
function requestToReveal(
  threadId: string,
  requests: readonly ApprovalRequest[],
  requestId: string | undefined,
): ApprovalRequest {
  const request =
    requestId === undefined
      ? requests.length === 1
        ? requests[0]
        : undefined
      : requests.find((candidate) => candidate.requestId === requestId);
  if (request) return request;
  const pending = requests.map((candidate) => candidate.requestId);
  throw new GovernorError(
    "APPROVAL_INVALID",
    requestId === undefined
      ? `Run ${threadId} waits for ${requests.length} approvals; name the one to reveal (${pending.join(", ")}); nothing was shown`
      : `Run ${threadId} has no pending request ${requestId} (pending: ${pending.join(", ")}); nothing was shown`,
    { threadId, requestId, pending },
  );
}

/** Which top-level arguments (and the summary) a display masks. */
function maskedFields(request: ApprovalRequest): string[] {
  const fields = Object.entries(request.args)
    .filter(([, value]) => JSON.stringify(maskForDisplay(value)) !== JSON.stringify(value))
    .map(([name]) => `args.${name}`);
  if (request.summary && maskForDisplay(request.summary) !== request.summary) fields.push("summary");
  return fields;
}

/** Why `approver` may not decide a request needing `scope`, or undefined when they may. */
function entitlementProblem(
  workflow: Workflow,
  approver: string,
  scope: string | undefined,
): string | undefined {
  const approvers = workflow.approvers as
    | ApproverRegistry
    | ((approver: string, scope: string | undefined) => boolean)
    | undefined;
  if (!approvers)
    return `workflow "${workflow.name}" names no approvers, so nobody may see its requests unmasked`;
  if (typeof approvers === "function") {
    return approvers(approver, scope) ? undefined : `"${approver}" may not decide this request`;
  }
  const found = approvers.findApprover(approver);
  if (!found) return `"${approver}" is not an approver of workflow "${workflow.name}"`;
  if (scope !== undefined && !found.scopes.includes(scope)) {
    return `approver "${approver}" lacks the scope ${scope} this request requires`;
  }
  return undefined;
}
