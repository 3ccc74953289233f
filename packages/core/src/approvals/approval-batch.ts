import { formatIssues } from "@governor/errors";
import { peekApprovalRequestId } from "@governor/identity";
import { z } from "zod";
import type { ApprovalAuthority } from "./approval-authority.js";
import type { AnswerRefusal, ApprovalRequest } from "./approval-request.js";

/**
 * One interrupt asking for every approval a turn needs: each call that policy sent to a
 * human is its own request, bound to its own call hash and request id. Approvers answer
 * them one at a time or all at once; an answer can only ever decide the request it was
 * signed for, so a resume value cannot be applied to another call.
 */
export interface ApprovalBatch {
  readonly type: "approvals";
  readonly threadId: string;
  readonly node: string;
  readonly requests: readonly ApprovalRequest[];
  /** Set when the last answer decided nothing: why (see `ApprovalRequest.refusal`). */
  readonly refusal?: AnswerRefusal;
  /** @deprecated The same text as `refusal.reason`; read `refusal`. */
  readonly refusedAnswer?: string;
}

/**
 * A resume value for a batch: one signed decision (`{ token }`) or several (`{ tokens }`),
 * each naming its own request. Requests not answered stay pending.
 */
export const approvalBatchAnswerSchema = z.union([
  z.object({ token: z.string().min(20, "token must be a signed approval decision (a JWT)") }).strict(),
  z
    .object({
      tokens: z
        .array(z.string().min(20, "each token must be a signed approval decision (a JWT)"))
        .min(1)
        .max(100),
    })
    .strict(),
]);

export type ApprovalBatchAnswer = z.infer<typeof approvalBatchAnswerSchema>;

/** The approval requests an interrupt value carries: one (an approval node's) or a batch (an agent loop's). */
export function approvalRequestsOf(value: unknown): ApprovalRequest[] {
  const typed = value as { type?: unknown; requests?: unknown } | null | undefined;
  if (typed?.type === "approval") return [typed as unknown as ApprovalRequest];
  if (typed?.type === "approvals" && Array.isArray(typed.requests)) return [...typed.requests];
  return [];
}

/** A request still waiting in a batch, with the call its decision is claimed for. */
export interface PendingCall {
  readonly request: ApprovalRequest;
  readonly callId: string;
}

/** One request decided by a verified, signed answer. */
export interface BatchDecision {
  readonly requestId: string;
  readonly callId: string;
  readonly approved: boolean;
  readonly approver: string;
  readonly reason?: string;
  readonly jti: string;
}

/** What one resume value decided, and each part of it that was refused and why. */
export interface BatchVerdict {
  readonly decided: readonly BatchDecision[];
  readonly refused: readonly { readonly requestId?: string; readonly reason: string }[];
}

/**
 * Verifies a resume value against the requests still pending. Each token is checked against
 * the request it names (signature, binding to run, node, request id and call hash, approver
 * entitlement, lifetime, single use); a token naming no pending request, or a second answer
 * for the same request in one value, is refused on its own and decides nothing. Never throws.
 */
export async function verifyBatchAnswer(
  authority: ApprovalAuthority,
  answer: unknown,
  pending: readonly PendingCall[],
  now: number,
): Promise<BatchVerdict> {
  const parsed = approvalBatchAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    return {
      decided: [],
      refused: [{ reason: `malformed answer: ${formatIssues(parsed.error.issues, "(answer)")}` }],
    };
  }
  const tokens = "token" in parsed.data ? [parsed.data.token] : parsed.data.tokens;
  const byId = new Map(pending.map((entry) => [entry.request.requestId, entry]));
  const decided: BatchDecision[] = [];
  const refused: { requestId?: string; reason: string }[] = [];
  for (const token of tokens) {
    const requestId = peekApprovalRequestId(token);
    const entry = requestId === undefined ? undefined : byId.get(requestId);
    if (!entry) {
      refused.push({
        requestId,
        reason:
          requestId === undefined
            ? "not a signed approval decision"
            : `the decision answers request ${requestId}, which is not pending here (pending: ${[...byId.keys()].join(", ") || "none"})`,
      });
      continue;
    }
    if (decided.some((decision) => decision.requestId === requestId)) {
      refused.push({ requestId, reason: `request ${requestId} was answered twice in one resume value` });
      continue;
    }
    const verdict = await authority.verify({ token }, entry.request, { callId: entry.callId }, now);
    if (!verdict.ok) {
      refused.push({ requestId, reason: verdict.reason });
      continue;
    }
    decided.push({
      requestId: entry.request.requestId,
      callId: entry.callId,
      approved: verdict.approved,
      approver: verdict.approver,
      reason: verdict.reason,
      jti: verdict.jti,
    });
  }
  return { decided, refused };
}
