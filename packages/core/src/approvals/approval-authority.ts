import type { GovernorError } from "@governor/errors";
import {
  type ApproverPredicate,
  type ApproverRegistry,
  DECISION_CLOCK_SKEW_SECONDS,
  MAX_DECISION_LIFETIME_SECONDS,
  type TokenKeys,
  verifyApprovalDecision,
} from "@governor/identity";
import { type ApprovalRequest, parseAnswer } from "./approval-request.js";
import type { ApprovalUseLedger } from "./approval-uses.js";

export interface ApprovalAuthorityOptions {
  /** Keys that verify approver signatures. */
  readonly keys: TokenKeys;
  /**
   * Who may approve. Undefined refuses every decision: nobody entitled to decide means
   * nobody decides (`validate()` refuses such a workflow before it runs).
   */
  readonly approvers: ApproverRegistry | ApproverPredicate | undefined;
  readonly uses: ApprovalUseLedger;
}

export type DecisionVerdict =
  | {
      readonly ok: true;
      readonly approved: boolean;
      readonly approver: string;
      readonly reason?: string;
      readonly jti: string;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Decides whether an answer to an approval request holds. Fails closed: malformed,
 * unsigned, forged, expired, issued in the future, longer-lived than the request allows,
 * for another run, node, request or call, by someone who may not approve (or with no
 * approvers configured at all), replayed from another request, or approving after the
 * request expired — each is refused with a reason the approver can act on.
 */
export class ApprovalAuthority {
  readonly #options: ApprovalAuthorityOptions;

  constructor(options: ApprovalAuthorityOptions) {
    this.#options = options;
  }

  async verify(
    value: unknown,
    request: ApprovalRequest,
    use: { callId: string },
    now: number,
  ): Promise<DecisionVerdict> {
    const parsed = parseAnswer(value);
    if (!parsed.ok) return parsed;
    const { approvers } = this.#options;
    if (!approvers) {
      return {
        ok: false,
        reason: `workflow names no approvers, so nobody may decide request ${request.requestId}; declare approvers`,
      };
    }
    let decision: Awaited<ReturnType<typeof verifyApprovalDecision>>;
    try {
      decision = await verifyApprovalDecision(this.#options.keys, parsed.answer.token, {
        request,
        approvers,
        requiredScope: request.requiredScope,
        now: new Date(now),
        maxLifetimeSeconds: lifetimeCap(request),
        clockSkewSeconds: DECISION_CLOCK_SKEW_SECONDS,
      });
    } catch (error) {
      return { ok: false, reason: (error as GovernorError).message ?? String(error) };
    }
    const expiresAt = Date.parse(request.expiresAt);
    const approved = decision.decision === "approve";
    if (approved && now > expiresAt) {
      return {
        ok: false,
        reason: `the request expired at ${request.expiresAt}; only a rejection is accepted now`,
      };
    }
    // A decision outliving its request could only ever be used on a request that has lapsed.
    if (approved && decision.expiresAt.getTime() > expiresAt + DECISION_CLOCK_SKEW_SECONDS * 1000) {
      return {
        ok: false,
        reason: `the decision is valid until ${decision.expiresAt.toISOString()}, beyond the request's expiry ${request.expiresAt}; sign one that expires with the request`,
      };
    }
    if (
      !(await this.#options.uses.claim(decision.jti, {
        threadId: request.threadId,
        node: request.node,
        callId: use.callId,
      }))
    ) {
      return { ok: false, reason: `decision ${decision.jti} was already used for another request: a replay` };
    }
    return { ok: true, approved, approver: decision.approver, reason: decision.reason, jti: decision.jti };
  }
}

/**
 * The longest a decision for `request` may live, in seconds: the request's own cap (the
 * approval node sets it, never beyond the request's lifetime), else the default hour.
 */
function lifetimeCap(request: ApprovalRequest): number {
  const cap = request.decisionLifetimeMs;
  if (cap === undefined || !Number.isFinite(cap) || cap <= 0) return MAX_DECISION_LIFETIME_SECONDS;
  return Math.max(1, Math.floor(cap / 1000));
}
