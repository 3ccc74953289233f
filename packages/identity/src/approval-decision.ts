import { formatIssues, GovernorError } from "@governor/errors";
import { decodeJwt } from "jose";
import { z } from "zod";
import type { ApproverPredicate, ApproverRegistry } from "./approver.js";
import { registeredClaims, signToken, verifyToken } from "./signed-token.js";
import { tokenRefused } from "./token-errors.js";
import type { TokenKeys } from "./token-keys.js";

/** The `aud` of approval decisions, so a delegation token can never pass for one. */
export const APPROVAL_AUDIENCE = "governor:approval";

export type ApprovalVerdict = "approve" | "reject";

/**
 * The one request a decision answers. A decision names its run (thread), the node that
 * asked, the request's own id (issued when the run stopped to ask) and the call's hash, so
 * it approves that request and nothing else: not an identical call in another run, nor the
 * same call proposed again later in this run. An `ApprovalRequest` from @governor/core has
 * these fields, so it can be passed as it is.
 */
export interface ApprovalBinding {
  readonly threadId: string;
  readonly node: string;
  readonly requestId: string;
  /** The hash of the call being decided (principal, tool, arguments, policy version). */
  readonly callHash: string;
}

export interface ApprovalDecisionOptions {
  readonly approver: string;
  readonly decision: ApprovalVerdict;
  /** The request being answered; the token is bound to it. */
  readonly request: ApprovalBinding;
  readonly reason?: string;
  /** Lifetime: seconds or "10m" (default "10m"); a decision not used by then is void. */
  readonly expiresIn?: string | number;
  readonly now?: Date;
}

/** How long a decision may live at most, unless the verifier says otherwise: one hour. */
export const MAX_DECISION_LIFETIME_SECONDS = 60 * 60;
/** How far an issuer's clock may run ahead of the verifier's: one minute. */
export const DECISION_CLOCK_SKEW_SECONDS = 60;

export interface VerifyApprovalOptions {
  /** The request waiting for a decision; a decision bound to any other is refused. */
  readonly request: ApprovalBinding;
  /** Who may decide: an identity's approver registry, or a predicate of your own. */
  readonly approvers: ApproverRegistry | ApproverPredicate;
  /** A scope the approver must hold, e.g. `approvals:refunds`. */
  readonly requiredScope?: string;
  readonly now?: Date;
  /**
   * The longest lifetime (exp − iat, in seconds) a decision may have; a longer-lived one is
   * refused however fresh it is. Default {@link MAX_DECISION_LIFETIME_SECONDS}.
   */
  readonly maxLifetimeSeconds?: number;
  /**
   * Allowed clock skew in seconds, for expiry and for an `iat` ahead of `now` (a token
   * "issued in the future" beyond it is refused). Default {@link DECISION_CLOCK_SKEW_SECONDS}.
   */
  readonly clockSkewSeconds?: number;
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

const bindingSchema = z.object({
  threadId: z.string().min(1),
  node: z.string().min(1),
  requestId: z.string().min(1),
  callHash: z.string().min(1),
});

const signInput = z.object({
  approver: z.string().min(1),
  decision: verdictSchema,
  request: bindingSchema,
  reason: z.string().optional(),
});

const approvalClaims = registeredClaims.extend({
  decision: verdictSchema,
  ...bindingSchema.shape,
  reason: z.string().optional(),
});

/** Each bound claim, and how a refusal names it. */
const BINDING_FIELDS = { threadId: "run", node: "node", requestId: "request", callHash: "call" } as const;

/**
 * Signs an approver's answer to one approval request, bound to the request (run, node,
 * request id, call hash) so it cannot approve other arguments, another run or a later ask,
 * and short-lived so a forgotten one cannot be used late.
 *
 * @throws {GovernorError} CONFIG_INVALID for a missing field, a bad lifetime or verify-only keys.
 * @example
 * const token = await signApprovalDecision(keys, { approver: "sam", decision: "approve", request: outcome.approval, reason: "lost by courier" });
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
  const { approver, decision, request, reason } = input.data;
  const { threadId, node, requestId, callHash } = request;
  const bound = { decision, threadId, node, requestId, callHash };
  return signToken(keys, {
    audience: APPROVAL_AUDIENCE,
    subject: approver,
    claims: reason === undefined ? bound : { ...bound, reason },
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
 * verify, was issued in the future or lives longer than allowed; APPROVAL_INVALID when it
 * answers another request (run, node, request id or call), or its approver is unknown or lacks
 * `requiredScope`.
 */
export async function verifyApprovalDecision(
  keys: TokenKeys,
  token: string,
  options: VerifyApprovalOptions,
): Promise<VerifiedApprovalDecision> {
  const skew = options.clockSkewSeconds ?? DECISION_CLOCK_SKEW_SECONDS;
  const claims = await verifyToken(keys, token, {
    audience: APPROVAL_AUDIENCE,
    kind: "approval decision",
    claims: approvalClaims,
    now: options.now,
    clockTolerance: skew,
  });
  checkLifetime(claims, options, skew);
  const approver = claims.sub;
  const details = { approver, jti: claims.jti, ...options.request };
  for (const [field, label] of Object.entries(BINDING_FIELDS) as [keyof ApprovalBinding, string][]) {
    if (claims[field] !== options.request[field]) {
      throw new GovernorError(
        "APPROVAL_INVALID",
        `The approval decision by "${approver}" answers ${label} ${claims[field]}, not the pending ${label} ${options.request[field]}: a decision is good only for the request it was signed for`,
        { ...details, field, decided: claims[field] },
      );
    }
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

/**
 * A decision issued "in the future" comes from a wrong or hostile clock, and a long-lived one
 * would outlast the request it answers: both are refused, whatever their signature says.
 */
function checkLifetime(
  claims: { iat: number; exp: number },
  options: VerifyApprovalOptions,
  skew: number,
): void {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (claims.iat > now + skew) {
    throw tokenRefused(
      "approval decision",
      "claims",
      `it was issued at ${new Date(claims.iat * 1000).toISOString()}, ${claims.iat - now}s in the future (allowed skew ${skew}s)`,
    );
  }
  const max = options.maxLifetimeSeconds ?? MAX_DECISION_LIFETIME_SECONDS;
  if (claims.exp - claims.iat > max) {
    throw tokenRefused(
      "approval decision",
      "claims",
      `it lives ${claims.exp - claims.iat}s, longer than the ${max}s a decision may live; sign a shorter-lived one`,
    );
  }
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

/**
 * The request id a decision token names, read WITHOUT verifying it: only for picking which
 * of several pending requests to verify the token against (`verifyApprovalDecision` then
 * checks signature and binding). Undefined for anything that is not a readable JWT.
 */
export function peekApprovalRequestId(token: string): string | undefined {
  try {
    const claims = decodeJwt(token);
    return typeof claims.requestId === "string" ? claims.requestId : undefined;
  } catch {
    return undefined;
  }
}
