import type { Principal } from "@governor/identity";
import type { Authority } from "./fact.js";

/**
 * The authorities a store knows and the most each may weigh, e.g. `{ "ops-director": 90 }`.
 * Optional: it caps what any grant allows, and gives the weight for a bare `memory:attest:<name>`.
 */
export type AuthorityRegistry = Readonly<Record<string, number>>;

/** What a principal's own word weighs when no `memory:weight:<n>` scope says more. */
export const DEFAULT_OWN_WEIGHT = 10;

const ATTEST_WITH_WEIGHT = /^memory:attest:(.+):(\d{1,3})$/;

/**
 * The most weight `principal` may put behind a statement in the name of `by`, or a reason it may
 * not speak for `by` at all.
 *
 * A write's authority is a claim made by the writer, so it is granted like a scope, never taken
 * at its word (otherwise any writer could sign "ops-director, weight 100" and overwrite a mandate
 * with no approval):
 * - `memory:admin` (the operator at the CLI) may name anyone, up to 100;
 * - `memory:attest:<name>:<n>` lets a principal relay what `<name>` said (an extraction agent
 *   reading an authenticated conversation) up to weight n; a bare `memory:attest:<name>` takes
 *   the weight from the store's registry; `memory:attest:*:<n>` relays anyone up to n (for code
 *   whose `authorityOf` maps authenticated speakers to authorities);
 * - a principal speaking for itself (its id, its agent, the user it acts for) weighs what its
 *   `memory:weight:<n>` scopes say, {@link DEFAULT_OWN_WEIGHT} without one;
 * - a registry entry caps every grant for that name.
 */
export function authorityCeiling(
  principal: Principal,
  by: string,
  registry: AuthorityRegistry | undefined,
): { readonly ceiling: number } | { readonly refusal: string } {
  const registered = registry && Object.hasOwn(registry, by) ? registry[by] : undefined;
  const cap = (weight: number) => ({ ceiling: Math.min(weight, registered ?? 100) });
  const held = new Set(principal.scopes);
  if (held.has("memory:admin")) return cap(100);
  let granted: number | undefined;
  for (const scope of held) {
    const match = ATTEST_WITH_WEIGHT.exec(scope);
    // `*` relays anyone, up to its weight: for code that maps authenticated speakers to authorities itself.
    if (match && (match[1] === by || match[1] === "*")) granted = Math.max(granted ?? 0, Number(match[2]));
  }
  if (granted === undefined && held.has(`memory:attest:${by}`)) {
    if (registered === undefined) {
      return {
        refusal: `${principal.id} holds memory:attest:${by} but no weight is known for "${by}": grant memory:attest:${by}:<weight> or register it`,
      };
    }
    granted = registered;
  }
  if (granted !== undefined) return cap(granted);
  const own = [principal.id, principal.agentId, `agent:${principal.agentId}`];
  if (principal.userId !== undefined) own.push(principal.userId, `user:${principal.userId}`);
  if (own.includes(by)) {
    let weight = DEFAULT_OWN_WEIGHT;
    for (const scope of held) {
      const match = /^memory:weight:(\d{1,3})$/.exec(scope);
      if (match) weight = Math.max(weight, Number(match[1]));
    }
    return cap(weight);
  }
  return {
    refusal: `${principal.id} may not state facts in the name of "${by}": it needs memory:attest:${by}:<weight>`,
  };
}

/** Why `principal` may not write with `authority`, or undefined when it may. */
export function authorityRefusal(
  principal: Principal,
  authority: Authority,
  registry: AuthorityRegistry | undefined,
): string | undefined {
  const grant = authorityCeiling(principal, authority.by, registry);
  if ("refusal" in grant) return grant.refusal;
  if (authority.weight > grant.ceiling) {
    return `${principal.id} may put at most weight ${grant.ceiling} behind "${authority.by}", not ${authority.weight}`;
  }
  return undefined;
}
