import type { GovernorError } from "@governor/errors";
import { type ApproverRegistry, type TokenKeys, verifyApprovalDecision } from "@governor/identity";
import { type ApprovalRequest, parseAnswer } from "./approval-request.js";
import type { ApprovalUseLedger } from "./approval-uses.js";

export interface ApprovalAuthorityOptions {
  /** Keys that verify approver signatures. */
  readonly keys: TokenKeys;
  /** Who may approve; omitted means any holder of a signing key (a development setup). */
  readonly approvers?: ApproverRegistry;
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
 * unsigned, forged, expired, for another call, by someone who may not approve, replayed
 * from another request, or approving after the request expired — each is refused with a
 * reason the approver can act on.
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
    let decision: Awaited<ReturnType<typeof verifyApprovalDecision>>;
    try {
      decision = await verifyApprovalDecision(this.#options.keys, parsed.answer.token, {
        callHash: request.callHash,
        approvers: this.#options.approvers ?? (() => true),
        requiredScope: this.#options.approvers ? request.requiredScope : undefined,
        now: new Date(now),
      });
    } catch (error) {
      return { ok: false, reason: (error as GovernorError).message ?? String(error) };
    }
    const approved = decision.decision === "approve";
    if (approved && now > Date.parse(request.expiresAt)) {
      return {
        ok: false,
        reason: `the request expired at ${request.expiresAt}; only a rejection is accepted now`,
      };
    }
    if (
      !this.#options.uses.claim(decision.jti, {
        threadId: request.threadId,
        node: request.node,
        callId: use.callId,
      })
    ) {
      return { ok: false, reason: `decision ${decision.jti} was already used for another request: a replay` };
    }
    return { ok: true, approved, approver: decision.approver, reason: decision.reason, jti: decision.jti };
  }
}
