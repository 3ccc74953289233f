import { formatIssues, GovernorError } from "@governor/errors";
import type { Approver, ApproverRegistry } from "./approver.js";
import { delegationGrant, verifyDelegationToken } from "./delegation-token.js";
import { type IdentityConfig, identityConfigSchema } from "./identity-config.js";
import { agentPrincipal, delegatedPrincipal, type Principal } from "./principal.js";
import type { TokenKeys } from "./token-keys.js";

export interface DelegatedOptions {
  readonly now?: Date;
  readonly clockTolerance?: string | number;
}

/**
 * A validated identity configuration: turns agent ids into principals and approver ids into
 * approvers. Built by {@link defineIdentity}.
 */
export class Identity implements ApproverRegistry {
  readonly #agents: ReadonlyMap<string, Principal>;
  readonly #approvers: ReadonlyMap<string, Approver>;

  constructor(config: IdentityConfig) {
    const parsed = identityConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Invalid identity configuration: ${formatIssues(parsed.error.issues, "identity")}`,
        { issues: parsed.error.issues },
      );
    }
    const { roles, agents, approvers = {} } = parsed.data;
    checkRoleReferences(roles, agents, approvers);
    const scopesOf = (names: readonly string[] = []) => names.flatMap((role) => roles[role] ?? []);
    this.#agents = new Map(
      Object.entries(agents).map(([id, agent]) => [
        id,
        agentPrincipal(id, scopesOf(agent.roles), agent.roles),
      ]),
    );
    this.#approvers = new Map(
      Object.entries(approvers).map(([id, approver]) => [
        id,
        {
          id,
          scopes: [...new Set([...scopesOf(approver.roles), ...(approver.scopes ?? [])])],
          roles: approver.roles ?? [],
        },
      ]),
    );
  }

  /** The approvers who hold `scope` (all approvers when no scope is given): who can answer a request. */
  approversWith(scope?: string): Approver[] {
    return [...this.#approvers.values()].filter((approver) => !scope || approver.scopes.includes(scope));
  }

  /** The configured agent ids. */
  get agentIds(): string[] {
    return [...this.#agents.keys()];
  }

  /**
   * The principal of an agent acting on its own authority: the union of its roles' scopes.
   *
   * @throws {GovernorError} IDENTITY_UNKNOWN when no agent has this id.
   */
  agent(agentId: string): Principal {
    const principal = this.#agents.get(agentId);
    if (!principal) throw unknown("agent", agentId, this.agentIds);
    return principal;
  }

  /**
   * The principal of an agent acting for a user: the agent's scopes that the user's
   * delegation token also lends, and no others.
   *
   * @throws {GovernorError} IDENTITY_UNKNOWN for an unknown agent; IDENTITY_TOKEN_EXPIRED or
   * IDENTITY_TOKEN_INVALID for a token that does not verify or was issued for another agent.
   * @example const principal = await identity.delegated("support", request.headers["x-delegation"], keys);
   */
  async delegated(
    agentId: string,
    token: string,
    keys: TokenKeys,
    options: DelegatedOptions = {},
  ): Promise<Principal> {
    const agent = this.agent(agentId);
    const claims = await verifyDelegationToken(keys, token, { ...options, agentId });
    return delegatedPrincipal(agent, claims.userId, claims.scopes, delegationGrant(claims));
  }

  /**
   * An approver by id.
   *
   * @throws {GovernorError} IDENTITY_UNKNOWN when no approver has this id.
   */
  approver(id: string): Approver {
    const approver = this.#approvers.get(id);
    if (!approver) throw unknown("approver", id, [...this.#approvers.keys()]);
    return approver;
  }

  findApprover(id: string): Approver | undefined {
    return this.#approvers.get(id);
  }
}

/**
 * Declares roles (scopes), agents (roles) and approvers, validated at once.
 *
 * @throws {GovernorError} CONFIG_INVALID for an empty or duplicated entry; IDENTITY_UNKNOWN
 * when an agent or approver names a role that is not declared.
 * @example
 * const identity = defineIdentity({
 *   roles: { "support-agent": ["refunds:write", "orders:read"] },
 *   agents: { support: { roles: ["support-agent"] } },
 *   approvers: { sam: { scopes: ["approvals:refunds"] } },
 * });
 * const principal = identity.agent("support");
 */
export function defineIdentity(config: IdentityConfig): Identity {
  return new Identity(config);
}

function checkRoleReferences(
  roles: Readonly<Record<string, unknown>>,
  agents: Readonly<Record<string, { roles: readonly string[] }>>,
  approvers: Readonly<Record<string, { roles?: readonly string[] | undefined }>>,
): void {
  const declared = Object.keys(roles);
  const problems = [
    ...Object.entries(agents).map(([id, entry]) => ({ kind: "agent", id, roles: entry.roles })),
    ...Object.entries(approvers).map(([id, entry]) => ({ kind: "approver", id, roles: entry.roles ?? [] })),
  ].flatMap(({ kind, id, roles: named }) =>
    named
      .map((role, index) => ({ kind, id, role, path: `${kind}s.${id}.roles.${index}` }))
      .filter(({ role }) => !Object.hasOwn(roles, role)),
  );
  if (problems.length === 0) return;
  const lines = problems.map(
    ({ kind, id, role, path }) => `${path}: ${kind} "${id}" has role "${role}", which roles does not declare`,
  );
  throw new GovernorError(
    "IDENTITY_UNKNOWN",
    `Unknown role in identity configuration: ${lines.join("; ")} (declared roles: ${declared.join(", ")})`,
    { unknownRoles: problems },
  );
}

function unknown(kind: "agent" | "approver", id: string, known: readonly string[]): GovernorError {
  return new GovernorError(
    "IDENTITY_UNKNOWN",
    `No ${kind} "${id}" is configured (known: ${known.join(", ") || "none"})`,
    { [`${kind}Id`]: id },
  );
}
