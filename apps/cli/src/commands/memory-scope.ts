import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { FactScope } from "@governor/memory";
import { operator } from "../operator.js";

/** The partition flags every `governor memory` command takes. */
export interface ScopeOptions {
  readonly tenant?: string;
  readonly agent?: string;
  readonly user?: string;
  readonly thread?: string;
}

/** The one scope the CLI acts with: an operator may read and retract in every partition. */
export const OPERATOR_MEMORY_SCOPE = "memory:admin";

/**
 * The partition the flags name. The tenant is required: a fact always lives in one, and
 * guessing would read or retract in a partition the operator did not pick. The store checks
 * the parts' shape (empty, too long, control characters) and names what was wrong.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID when --tenant is missing.
 */
export function scopeFrom(options: ScopeOptions): FactScope {
  if (options.tenant === undefined) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      "a memory partition needs --tenant ID (and optionally --agent, --user, --thread to narrow it)",
    );
  }
  return {
    tenant: options.tenant,
    ...(options.agent !== undefined ? { agent: options.agent } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.thread !== undefined ? { thread: options.thread } : {}),
  };
}

/**
 * The person at the terminal as a memory principal: GOVERNOR_OPERATOR (else the OS user),
 * holding `memory:admin`. The CLI has no identity config of its own to act as an agent with,
 * so it never claims to be one; what it reads and retracts is audited under the operator.
 */
export function operatorPrincipal(): Principal {
  return { id: operator(), kind: "agent", agentId: "governor-cli", scopes: [OPERATOR_MEMORY_SCOPE] };
}
