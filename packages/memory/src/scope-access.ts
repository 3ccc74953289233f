import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { FactScope } from "./fact.js";
import { describeScope } from "./scope-key.js";

export type MemoryAccess = "read" | "write";

/**
 * The identity scopes that open a memory partition:
 * - `memory:read:<tenant>` / `memory:write:<tenant>`: the tenant's partitions (write implies read);
 * - a user partition only for a principal acting for that user, or one holding `memory:users:<tenant>`;
 * - an agent partition only for that agent, or a principal holding `memory:agents:<tenant>`;
 * - `memory:admin`: every partition (the operator at the CLI).
 */
export function memoryScopesFor(tenant: string, access: MemoryAccess): string[] {
  return access === "read" ? [`memory:read:${tenant}`, `memory:write:${tenant}`] : [`memory:write:${tenant}`];
}

/** Why `principal` may not `access` `scope`, or undefined when it may. */
export function memoryAccessRefusal(
  principal: Principal,
  scope: FactScope,
  access: MemoryAccess,
): string | undefined {
  // A principal that is not one (missing, or its scopes not a list) holds nothing: a refusal, never a TypeError.
  if (typeof principal !== "object" || principal === null || !Array.isArray(principal.scopes)) {
    return `the principal is malformed (it has no list of scopes), so it may not ${access} memory of tenant ${scope.tenant}`;
  }
  const held = new Set(principal.scopes.filter((name) => typeof name === "string"));
  if (held.has("memory:admin")) return undefined;
  const tenantScopes = memoryScopesFor(scope.tenant, access);
  if (!tenantScopes.some((s) => held.has(s))) {
    return `${principal.id} holds none of ${tenantScopes.join(", ")} and may not ${access} memory of tenant ${scope.tenant}`;
  }
  if (
    scope.user !== undefined &&
    principal.userId !== scope.user &&
    !held.has(`memory:users:${scope.tenant}`)
  ) {
    return principal.userId === undefined
      ? `${principal.id} acts for no user and lacks memory:users:${scope.tenant}, so it may not ${access} user ${scope.user}'s memory`
      : `${principal.id} acts for user ${principal.userId}, not user ${scope.user}`;
  }
  if (
    scope.agent !== undefined &&
    principal.agentId !== scope.agent &&
    !held.has(`memory:agents:${scope.tenant}`)
  ) {
    return `${principal.id} is agent ${principal.agentId}, not agent ${scope.agent}, and lacks memory:agents:${scope.tenant}`;
  }
  return undefined;
}

/** @throws {GovernorError} MEMORY_SCOPE_DENIED when the principal may not touch the partition. */
export function assertMemoryAccess(principal: Principal, scope: FactScope, access: MemoryAccess): void {
  const refusal = memoryAccessRefusal(principal, scope, access);
  if (refusal !== undefined) {
    throw new GovernorError(
      "MEMORY_SCOPE_DENIED",
      `memory ${access} of ${describeScope(scope)} refused: ${refusal}`,
      {
        principal: (principal as Principal | null | undefined)?.id,
        scope,
        access,
      },
    );
  }
}
