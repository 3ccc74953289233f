/**
 * Whose authority a run exercises.
 *
 * An agent acts with its own role's scopes; acting for a user it holds only the scopes both
 * have (least privilege), and only while the user's delegation holds: a delegated principal
 * built from a token carries that token's id and expiry, so every resume and every action can
 * check again that it has not expired or been revoked.
 */
export interface Principal {
  /** Stable id written into audit records and approval hashes, e.g. `agent:support` or `agent:support/user:42`. */
  readonly id: string;
  readonly kind: "agent" | "delegated";
  readonly agentId: string;
  readonly userId?: string;
  /** Effective scopes: what this principal may do, already intersected for delegation. */
  readonly scopes: readonly string[];
  readonly roles?: readonly string[];
  /** The delegation this authority rests on, when it came from a verified token. */
  readonly delegation?: DelegationGrant;
}

/**
 * What a run keeps of the user's delegation token: enough to re-check it later (expiry, a
 * revocation by id) without keeping the token itself, which is a bearer credential. Its
 * signature was verified once, when the run started; the record is as trustworthy as the
 * store it lives in.
 */
export interface DelegationGrant {
  /** The token's `jti`: what a revocation names. */
  readonly jti: string;
  /** ISO time the token expires; the run stops at its next step after that. */
  readonly expiresAt: string;
}

/** An agent acting on its own authority. */
export function agentPrincipal(
  agentId: string,
  scopes: readonly string[],
  roles?: readonly string[],
): Principal {
  return { id: `agent:${agentId}`, kind: "agent", agentId, scopes: [...new Set(scopes)], roles };
}

/**
 * An agent acting for a user: the effective scopes are the intersection of both, so a user
 * can never lend an agent more than the agent's role allows, nor the agent use more than the user holds.
 */
export function delegatedPrincipal(
  agent: Principal,
  userId: string,
  userScopes: readonly string[],
  grant?: DelegationGrant,
): Principal {
  const user = new Set(userScopes);
  return {
    id: `${agent.id}/user:${userId}`,
    kind: "delegated",
    agentId: agent.agentId,
    userId,
    scopes: agent.scopes.filter((scope) => user.has(scope)),
    roles: agent.roles,
    ...(grant ? { delegation: { jti: grant.jti, expiresAt: grant.expiresAt } } : {}),
  };
}

/** The scopes in `required` that `principal` does not hold; empty when the call is in scope. */
export function missingScopes(principal: Principal, required: readonly string[]): string[] {
  const held = new Set(principal.scopes);
  return required.filter((scope) => !held.has(scope));
}
