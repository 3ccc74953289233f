import { formatIssues } from "@governor/errors";
import { z } from "zod";

/** What an approval interrupt carries: everything an approver needs, and the hash their decision must name. */
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
  /** The scope an approver must hold to decide this request. */
  readonly requiredScope?: string;
  readonly summary?: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** Why the previous answer was refused, when one was. */
  readonly refusedAnswer?: string;
}

/**
 * The resume payload an approval node accepts: a decision signed by the approver
 * (`signApprovalDecision` from @governor/identity, or `governor approve`). An unsigned
 * `{ decision, approver }` is refused: anyone can type a name.
 */
export const approvalAnswerSchema = z
  .object({ token: z.string().min(20, "token must be a signed approval decision (a JWT)") })
  .strict();

export type ApprovalAnswer = z.infer<typeof approvalAnswerSchema>;

/** Parses a resume payload, or says what is wrong with it. */
export function parseAnswer(
  value: unknown,
): { ok: true; answer: ApprovalAnswer } | { ok: false; reason: string } {
  const parsed = approvalAnswerSchema.safeParse(value);
  if (parsed.success) return { ok: true, answer: parsed.data };
  return { ok: false, reason: `malformed answer: ${formatIssues(parsed.error.issues, "(answer)")}` };
}
