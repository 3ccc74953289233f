import { GovernorError } from "@governor/errors";
import { durationSeconds } from "./duration.js";
import { registeredClaims, signToken, verifyToken } from "./signed-token.js";
import { tokenRefused } from "./token-errors.js";
import type { TokenKeys } from "./token-keys.js";

/** The `aud` of approver tokens: the web console is the only place that takes one. */
export const APPROVER_TOKEN_AUDIENCE = "governor-console";

/**
 * The longest an approver token may live: a working day. A token is a login, kept in a
 * browser cookie; a stolen one must lapse on its own, and the person signs in again tomorrow.
 */
export const MAX_APPROVER_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

export interface ApproverTokenOptions {
  /** The approver the token proves (the `sub`), as the workflow's approvers name them. */
  readonly approver: string;
  /** Lifetime: seconds or "8h" (default "8h", at most 12 h). */
  readonly expiresIn?: string | number;
  /** When the token is issued (default: now). */
  readonly now?: Date;
}

export interface VerifiedApproverToken {
  readonly approver: string;
  readonly expiresAt: Date;
}

const approverClaims = registeredClaims;

/**
 * Signs a token proving who an approver is to the web console, where a form field could
 * name anyone. An operator mints one per approver with the
 * console's secret, and hands it to that person once.
 *
 * @throws {GovernorError} CONFIG_INVALID for an empty approver, a lifetime over 12 h, or
 *   verify-only keys.
 * @example
 * const token = await signApproverToken(hs256Keys(secret), { approver: "supervisor:sam", expiresIn: "8h" });
 */
export async function signApproverToken(keys: TokenKeys, options: ApproverTokenOptions): Promise<string> {
  if (typeof options.approver !== "string" || !options.approver.trim()) {
    throw new GovernorError("CONFIG_INVALID", "signApproverToken: approver must be a non-empty id", {
      approver: options.approver,
    });
  }
  const expiresIn = options.expiresIn ?? "8h";
  const lifetime = durationSeconds(expiresIn, "expiresIn");
  if (lifetime > MAX_APPROVER_TOKEN_LIFETIME_SECONDS) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `signApproverToken: expiresIn is ${lifetime} s; an approver token lives at most ${MAX_APPROVER_TOKEN_LIFETIME_SECONDS} s (12 h)`,
      { lifetime, maximum: MAX_APPROVER_TOKEN_LIFETIME_SECONDS },
    );
  }
  return signToken(keys, {
    audience: APPROVER_TOKEN_AUDIENCE,
    subject: options.approver,
    claims: {},
    expiresIn,
    now: options.now,
    label: "expiresIn",
  });
}

/**
 * Checks an approver token: the keys' own algorithm (so `alg: none` is refused), issuer,
 * audience, expiry, and a lifetime of at most 12 h (a token minted elsewhere with a longer
 * one is refused rather than trusted for longer).
 *
 * @throws {GovernorError} IDENTITY_TOKEN_EXPIRED once it has expired; IDENTITY_TOKEN_INVALID
 *   for every other reason.
 */
export async function verifyApproverToken(
  keys: TokenKeys,
  token: string,
  options: { readonly now?: Date } = {},
): Promise<VerifiedApproverToken> {
  const claims = await verifyToken(keys, token, {
    audience: APPROVER_TOKEN_AUDIENCE,
    kind: "approver",
    claims: approverClaims,
    now: options.now,
  });
  if (claims.exp - claims.iat > MAX_APPROVER_TOKEN_LIFETIME_SECONDS) {
    throw tokenRefused(
      "approver",
      "claims",
      `it lives ${claims.exp - claims.iat} s; an approver token lives at most ${MAX_APPROVER_TOKEN_LIFETIME_SECONDS} s (12 h)`,
    );
  }
  return { approver: claims.sub, expiresAt: new Date(claims.exp * 1000) };
}
