import { formatIssues, GovernorError } from "@governor/errors";
import { z } from "zod";
import type { DelegationGrant } from "./principal.js";
import { joinScopes, scopeSchema, splitScopes } from "./scope.js";
import { registeredClaims, signToken, verifyToken } from "./signed-token.js";
import { tokenRefused } from "./token-errors.js";
import type { TokenKeys } from "./token-keys.js";

/** The `aud` of delegation tokens: an approval decision or any other token is refused where one is expected. */
export const DELEGATION_AUDIENCE = "governor:delegation";

export interface DelegationTokenOptions {
  /** The agent the user lends authority to; the token is refused for any other agent. */
  readonly agentId: string;
  readonly userId: string;
  /** The user's scopes the agent may use; the agent's own roles still cap them. */
  readonly scopes: readonly string[];
  /** Lifetime: seconds or "15m", "2h" (default "15m"). */
  readonly expiresIn?: string | number;
  /** When the token is issued (default: now). */
  readonly now?: Date;
}

export interface DelegationClaims {
  readonly agentId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  /** The token's unique id, for revocation lists and audit records. */
  readonly jti: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface VerifyDelegationOptions {
  /** The time to check expiry against (default: now). */
  readonly now?: Date;
  /** The agent presenting the token; a token issued for another agent is refused. */
  readonly agentId?: string;
  /** Allowed clock skew between issuer and verifier, in seconds or as "30s". */
  readonly clockTolerance?: string | number;
}

const issueInput = z.object({
  agentId: z.string().min(1),
  userId: z.string().min(1),
  scopes: z.array(scopeSchema).min(1, "a delegation lends at least one scope"),
});

const delegationClaims = registeredClaims.extend({
  act: z.object({ sub: z.string().min(1) }),
  scope: z.string(),
});

/**
 * Signs a token by which `userId` lends `agentId` some of their scopes for a short time.
 *
 * The claims follow RFC 8693 token exchange: `sub` is the user, `act.sub` the agent acting
 * for them, `scope` the lent scopes separated by spaces.
 *
 * @throws {GovernorError} CONFIG_INVALID for a missing id, no scopes, a bad lifetime or verify-only keys.
 * @example
 * const token = await issueDelegationToken(keys, { agentId: "support", userId: "u-42", scopes: ["orders:read"] });
 */
export async function issueDelegationToken(
  keys: TokenKeys,
  options: DelegationTokenOptions,
): Promise<string> {
  const input = issueInput.safeParse(options);
  if (!input.success) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `issueDelegationToken: ${formatIssues(input.error.issues, "options")}`,
      { issues: input.error.issues },
    );
  }
  return signToken(keys, {
    audience: DELEGATION_AUDIENCE,
    subject: input.data.userId,
    claims: { act: { sub: input.data.agentId }, scope: joinScopes(input.data.scopes) },
    expiresIn: options.expiresIn ?? "15m",
    now: options.now,
    label: "expiresIn",
  });
}

/**
 * Checks a delegation token and returns who lent what to whom, until when.
 *
 * @throws {GovernorError} IDENTITY_TOKEN_EXPIRED once it has expired; IDENTITY_TOKEN_INVALID
 * for a bad signature, another algorithm or audience, a malformed token, or one issued for
 * another agent than `options.agentId`.
 */
export async function verifyDelegationToken(
  keys: TokenKeys,
  token: string,
  options: VerifyDelegationOptions = {},
): Promise<DelegationClaims> {
  const claims = await verifyToken(keys, token, {
    audience: DELEGATION_AUDIENCE,
    kind: "delegation",
    claims: delegationClaims,
    now: options.now,
    clockTolerance: options.clockTolerance,
  });
  if (options.agentId !== undefined && claims.act.sub !== options.agentId) {
    throw tokenRefused(
      "delegation",
      "agent",
      `it was issued for agent "${claims.act.sub}", but agent "${options.agentId}" presented it`,
    );
  }
  return {
    agentId: claims.act.sub,
    userId: claims.sub,
    scopes: splitScopes(claims.scope),
    jti: claims.jti,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  };
}

/**
 * What a run keeps of a verified delegation: its id and expiry, not the token. The runtime
 * checks them again at every step, so a delegation that expires or is revoked while a run
 * waits stops the run before anything else happens under it.
 */
export function delegationGrant(claims: Pick<DelegationClaims, "jti" | "expiresAt">): DelegationGrant {
  return { jti: claims.jti, expiresAt: claims.expiresAt.toISOString() };
}
