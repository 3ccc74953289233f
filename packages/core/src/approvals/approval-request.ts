import { z } from "zod";
import { formatIssues } from "@governor/errors";

/** What an approval interrupt carries: everything an approver needs, and the hash their answer must name. */
export interface ApprovalRequest {
  readonly type: "approval";
  readonly threadId: string;
  readonly node: string;
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly principal: string;
  readonly callHash: string;
  readonly policyVersion: string;
  readonly reasons: readonly string[];
  readonly policyIds: readonly string[];
  readonly summary?: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** Why the previous answer was refused, when one was. */
  readonly refusedAnswer?: string;
}

/** The resume payload an approval node accepts. */
export const approvalAnswerSchema = z.object({
  decision: z.enum(["approve", "reject"]),
  approver: z.string().min(1, "approver must name who decided"),
  callHash: z.string().regex(/^[0-9a-f]{64}$/, "callHash must be the 64-hex hash from the approval request"),
  reason: z.string().max(2000).optional(),
});

export type ApprovalAnswer = z.infer<typeof approvalAnswerSchema>;

export type AnswerVerdict =
  | { readonly ok: true; readonly answer: ApprovalAnswer }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks an answer against the request it claims to answer. Fails closed: a malformed
 * answer, one for another call, or an approval after expiry is refused.
 */
export function verifyAnswer(value: unknown, request: ApprovalRequest, now: number): AnswerVerdict {
  const parsed = approvalAnswerSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: `malformed answer: ${formatIssues(parsed.error.issues, "(answer)")}` };
  }
  const answer = parsed.data;
  if (answer.callHash !== request.callHash) {
    return { ok: false, reason: "the answer is for a different call (callHash does not match the request)" };
  }
  if (answer.decision === "approve" && now > Date.parse(request.expiresAt)) {
    return {
      ok: false,
      reason: `the request expired at ${request.expiresAt}; only a rejection is accepted now`,
    };
  }
  return { ok: true, answer };
}
