import type { FactScope } from "./fact.js";

/**
 * The partition's canonical key, `t=acme/a=router/u=42/th=…`. Parts are URI-encoded so a
 * tenant named "acme/u=1" can never spell another tenant's partition.
 */
export function scopeKey(scope: FactScope): string {
  const parts = [`t=${encodeURIComponent(scope.tenant)}`];
  if (scope.agent !== undefined) parts.push(`a=${encodeURIComponent(scope.agent)}`);
  if (scope.user !== undefined) parts.push(`u=${encodeURIComponent(scope.user)}`);
  if (scope.thread !== undefined) parts.push(`th=${encodeURIComponent(scope.thread)}`);
  return parts.join("/");
}

/** A readable name for a partition, for messages. */
export function describeScope(scope: FactScope): string {
  const parts = [`tenant ${scope.tenant}`];
  if (scope.agent !== undefined) parts.push(`agent ${scope.agent}`);
  if (scope.user !== undefined) parts.push(`user ${scope.user}`);
  if (scope.thread !== undefined) parts.push(`thread ${scope.thread}`);
  return parts.join(", ");
}
