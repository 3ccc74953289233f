import { formatIssues, GovernorError } from "@governor/errors";
import { z } from "zod";
import type { ApproverPredicate, ApproverRegistry } from "./approver.js";
import { registeredClaims, signToken, verifyToken } from "./signed-token.js";
import type { TokenKeys } from "./token-keys.js";

/** The `aud` of approval decisions, so a delegation token can never pass for one. */
export const APPROVAL_AUDIENCE = "governor:approval";

export type ApprovalVerdict = "approve" | "reject";

export interface ApprovalDecisionOptions {
  readonly approver: string;
  readonly decision: ApprovalVerdict;
  /** The hash of the call being decided (principal, tool, arguments, policy version). */
  readonly callHash: string;
  readonly reason?: string;
  /** Lifetime: seconds or "10m" (default "10m"); a decision not used by then is void. */
  readonly expiresIn?: string | number;
  readonly now?: Date;
}

export interface VerifyApprovalOptions {
  /** The hash of the call waiting for a decision; a decision for any other call is refused. */
  readonly callHash: string;
  /** Who may decide: an identity's approver registry, or a predicate of your own. */
  readonly approvers: ApproverRegistry | ApproverPredicate;
  /** A scope the approver must hold, e.g. `approvals:refunds`. */
  readonly requiredScope?: string;
  readonly now?: Date;
  readonly clockTolerance?: string | number;
}

export interface VerifiedApprovalDecision {
  readonly approver: string;
  readonly decision: ApprovalVerdict;
  readonly reason: string | undefined;
  /**
   * The decision's unique id. Keep the ids you have accepted and refuse one seen before:
   * that is what stops a captured decision from being replayed within its lifetime.
   */
  readonly jti: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

const verdictSchema = z.enum(["approve", "reject"]);

const signInput = z.object({
  approver: z.string().min(1),
  decision: verdictSchema,
  callHash: z.string().min(1),
  reason: z.string().optional(),
});

const approvalClaims = registeredClaims.extend({
  decision: verdictSchema,
  callHash: z.string().min(1),
  reason: z.string().optional(),
});

/**
 * Signs an approver's answer to one approval request, bound to the request's call hash so it
 * cannot be reused for other arguments, and short-lived so a forgotten one cannot be used late.
 *
 * @throws {GovernorError} CONFIG_INVALID for a missing field, a bad lifetime or verify-only keys.
 * @example
 * const token = await signApprovalDecision(keys, { approver: "sam", decision: "approve", callHash, reason: "lost by courier" });
 */
export async function signApprovalDecision(
  keys: TokenKeys,
  options: ApprovalDecisionOptions,
): Promise<string> {
  const input = signInput.safeParse(options);
  if (!input.success) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `signApprovalDecision: ${formatIssues(input.error.issues, "options")}`,
      { issues: input.error.issues },
    );
  }
  const { approver, decision, callHash, reason } = input.data;
  return signToken(keys, {
    audience: APPROVAL_AUDIENCE,
    subject: approver,
    claims: reason === undefined ? { decision, callHash } : { decision, callHash, reason },
    expiresIn: options.expiresIn ?? "10m",
    now: options.now,
    label: "expiresIn",
  });
}

/**
 * Checks a signed approval decision against the request it claims to answer.
 *
 * Replays are the caller's to stop: keep the `jti`s already accepted (the audit journal has them).
 *
 * @throws {GovernorError} IDENTITY_TOKEN_EXPIRED / IDENTITY_TOKEN_INVALID when the token does not
 * verify; APPROVAL_INVALID when it answers another call, or its approver is unknown or lacks
 * `requiredScope`.
 */
export async function verifyApprovalDecision(
  keys: TokenKeys,
  token: string,
  options: VerifyApprovalOptions,
): Promise<VerifiedApprovalDecision> {
  const claims = await verifyToken(keys, token, {
    audience: APPROVAL_AUDIENCE,
    kind: "approval decision",
    claims: approvalClaims,
    now: options.now,
    clockTolerance: options.clockTolerance,
  });
  const approver = claims.sub;
  const details = { approver, jti: claims.jti, callHash: options.callHash };
  if (claims.callHash !== options.callHash) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `The approval decision by "${approver}" answers call ${claims.callHash}, not the pending call ${options.callHash}`,
      { ...details, decidedCallHash: claims.callHash },
    );
  }
  checkApprover(approver, options, details);
  return {
    approver,
    decision: claims.decision,
    reason: claims.reason,
    jti: claims.jti,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  };
}

function checkApprover(
  approverId: string,
  { approvers, requiredScope }: VerifyApprovalOptions,
  details: Record<string, unknown>,
): void {
  if (typeof approvers === "function") {
    if (approvers(approverId, requiredScope)) return;
    const need = requiredScope === undefined ? "" : ` (requires ${requiredScope})`;
    throw new GovernorError(
      "APPROVAL_INVALID",
      `"${approverId}" may not decide this approval request${need}: the approver check refused`,
      { ...details, requiredScope },
    );
  }
  const approver = approvers.findApprover(approverId);
  if (!approver) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `The approval decision is signed for "${approverId}", who is not a configured approver`,
      details,
    );
  }
  if (requiredScope !== undefined && !approver.scopes.includes(requiredScope)) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `Approver "${approverId}" lacks the scope ${requiredScope} this approval requires (holds: ${approver.scopes.join(", ") || "none"})`,
      { ...details, requiredScope },
    );
  }
}
