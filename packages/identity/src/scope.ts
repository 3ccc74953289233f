import { z } from "zod";

/**
 * One scope, e.g. `refunds:write`. Scopes travel space-separated in a token's `scope` claim
 * (RFC 8693), so a scope can hold no whitespace.
 */
export const scopeSchema = z
  .string()
  .regex(/^\S+$/, "a scope is one non-empty word without spaces, e.g. refunds:write");

/** The `scope` claim's value for a list of scopes. */
export function joinScopes(scopes: readonly string[]): string {
  return [...new Set(scopes)].join(" ");
}

/** The scopes in a `scope` claim. */
export function splitScopes(claim: string): string[] {
  return [...new Set(claim.split(/\s+/).filter((scope) => scope !== ""))];
}
