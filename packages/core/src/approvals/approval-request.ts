import { formatIssues } from "@governor/errors";
import { z } from "zod";

/** What an approval interrupt carries: everything an approver needs, and the hash their decision must name. */
export interface ApprovalRequest {
  readonly type: "approval";
  readonly threadId: string;
  readonly node: string;
  /**
   * This request's own id, issued when the gate sent the call here: a decision must name it,
   * so it answers this request only (not an identical call in another run, nor the same call
   * proposed again later in this run).
   */
  readonly requestId: string;
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
  /** The longest lifetime a signed decision for this request may have (ms); never beyond `expiresAt`. */
  readonly decisionLifetimeMs?: number;
  /**
   * Set when the last answer to this request was refused (malformed, signed for another call
   * or run, expired, by someone without the scope): the request still waits, and this says why.
   * Also an `approval-refused` event on the run's stream and a `refused` audit record.
   */
  readonly refusal?: AnswerRefusal;
  /** @deprecated The same text as `refusal.reason`; read `refusal`. */
  readonly refusedAnswer?: string;
}

/** Why an answer to a waiting request decided nothing (see `ApprovalRequest.refusal`). */
export interface AnswerRefusal {
  /** Always APPROVAL_INVALID: the answer does not hold for the request it was given to. */
  readonly code: "APPROVAL_INVALID";
  /** What was wrong with the answer, for the approver (never the answer itself: a token is a credential). */
  readonly reason: string;
  /** Which answer of this wait was refused: 0 for the first, counting every answer given since the request. */
  readonly attempt: number;
}

/** The fields a request carries after the answer of `attempt` was refused for `reason`. */
export function refusalFields(
  reason: string | undefined,
  attempt: number,
): { refusal: AnswerRefusal; refusedAnswer: string } | Record<string, never> {
  if (reason === undefined) return {};
  return { refusal: { code: "APPROVAL_INVALID", reason, attempt }, refusedAnswer: reason };
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

/** Ten minutes: how long a decision signed for a request lives by default. */
const DEFAULT_DECISION_SECONDS = 10 * 60;

/**
 * How long (seconds) a decision signed at `now` for `request` should live: ten minutes, at
 * most the request's own cap, and never past the request's expiry (at least one second, so
 * a rejection of an expired request can still be signed).
 */
export function decisionLifetime(request: ApprovalRequest, now: number): number {
  const cap =
    request.decisionLifetimeMs === undefined ? Number.POSITIVE_INFINITY : request.decisionLifetimeMs / 1000;
  const untilExpiry = (Date.parse(request.expiresAt) - now) / 1000;
  return Math.max(1, Math.floor(Math.min(DEFAULT_DECISION_SECONDS, cap, untilExpiry)));
}
