import type { Principal } from "@governor/identity";
import { hashOf } from "@governor/observability";

/**
 * The fingerprint an approval is bound to: who, which tool, which exact arguments, under
 * which policy version. Changing any of them makes an earlier approval worthless.
 */
export function callHash(principal: Principal, tool: string, args: unknown, policyVersion: string): string {
  return hashOf({ principal: principal.id, tool, args, policyVersion });
}

/** The idempotency key of one call: the same call in the same run always has the same key. */
export function idempotencyKey(threadId: string, node: string, callIndex: number, args: unknown): string {
  return hashOf({ threadId, node, callIndex, args: hashOf(args) });
}
