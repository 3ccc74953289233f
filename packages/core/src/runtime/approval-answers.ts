import { formatIssues, GovernorError } from "@governor/errors";
import { peekApprovalRequestId } from "@governor/identity";
import type { ZodType } from "zod";
import { approvalBatchAnswerSchema } from "../approvals/approval-batch.js";
import { type ApprovalRequest, approvalAnswerSchema } from "../approvals/approval-request.js";
import type { ApprovalInterrupt } from "./run-control.js";

/**
 * The one pending request a human's decision is for. With several pending, the caller must
 * name it: a decision is signed for one call, and guessing which would sign for a call the
 * approver never looked at.
 *
 * @throws {GovernorError} RESUME_INVALID when `requestId` names no pending request, or when
 *   several requests wait and none is named; the message lists the pending request ids.
 */
export function requestToDecide(
  threadId: string,
  requests: readonly ApprovalRequest[],
  requestId: string | undefined,
): ApprovalRequest {
  if (requestId !== undefined) {
    const request = requests.find((candidate) => candidate.requestId === requestId);
    if (request) return request;
    throw new GovernorError(
      "RESUME_INVALID",
      `Run ${threadId} has no pending request ${requestId}; pending: ${idsOf(requests)}`,
      { threadId, requestId, pending: requests.map((request) => request.requestId) },
    );
  }
  const [only, ...others] = requests;
  if (only && !others.length) return only;
  throw new GovernorError(
    "RESUME_INVALID",
    `Run ${threadId} waits for ${requests.length} approvals; name one with its request id (${idsOf(requests)}) or decide them all`,
    { threadId, pending: requests.map((request) => request.requestId) },
  );
}

/**
 * The value to resume a run with, given what its approval interrupts accept.
 *
 * One interrupt gets the answer itself: an approval node accepts `{ token }` only (as before
 * batches existed), an agent loop's batch `{ token }` or `{ tokens }`; the node verifies each
 * token and audits a refusal, so a well-formed token for the wrong request still reaches it
 * and leaves the run waiting. Several interrupts (parallel branches, each waiting) get a map
 * keyed by interrupt id, each token sent to the interrupt holding the request it names, so
 * no interrupt is handed an answer meant for another; a token naming none of them is refused
 * here, since no node could audit it.
 *
 * @throws {GovernorError} RESUME_INVALID for a malformed answer, `{ tokens }` where only one
 *   approval node waits, a token naming no pending request when several interrupts wait, or
 *   two tokens for one approval node.
 */
export function approvalResumeValue(
  threadId: string,
  interrupts: readonly ApprovalInterrupt[],
  answer: unknown,
): unknown {
  const [only, ...others] = interrupts;
  if (only && !others.length)
    return parsed(threadId, only.batch ? approvalBatchAnswerSchema : approvalAnswerSchema, answer);
  const value = parsed(threadId, approvalBatchAnswerSchema, answer);
  const tokens = "token" in value ? [value.token] : value.tokens;
  const routed = new Map<ApprovalInterrupt, string[]>();
  for (const token of tokens) {
    const requestId = peekApprovalRequestId(token);
    const target = interrupts.find((pending) =>
      pending.requests.some((request) => request.requestId === requestId),
    );
    if (!target?.id) {
      throw new GovernorError(
        "RESUME_INVALID",
        `Resume payload for ${threadId}: a token answers ${requestId ?? "no request"}, which is not pending here (pending: ${idsOf(interrupts.flatMap((pending) => pending.requests))})`,
        { threadId, requestId },
      );
    }
    routed.set(target, [...(routed.get(target) ?? []), token]);
  }
  const map: Record<string, unknown> = {};
  for (const [target, answers] of routed) {
    if (!target.batch && answers.length > 1) {
      throw new GovernorError(
        "RESUME_INVALID",
        `Resume payload for ${threadId}: ${answers.length} tokens answer request ${target.requests[0]?.requestId}, which takes one`,
        { threadId, requestId: target.requests[0]?.requestId },
      );
    }
    map[target.id as string] = answers.length === 1 ? { token: answers[0] } : { tokens: answers };
  }
  return map;
}

function parsed<T>(threadId: string, schema: ZodType<T>, answer: unknown): T {
  const result = schema.safeParse(answer);
  if (result.success) return result.data;
  throw new GovernorError(
    "RESUME_INVALID",
    `Resume payload for ${threadId} is invalid: ${formatIssues(result.error.issues, "(payload)")}`,
    { threadId, issues: result.error.issues },
  );
}

function idsOf(requests: readonly ApprovalRequest[]): string {
  return requests.map((request) => request.requestId).join(", ") || "none";
}
