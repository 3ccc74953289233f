import { randomUUID } from "node:crypto";
import type { LeaseProbe } from "./run-queue.js";

/**
 * Whether nobody drives a run now. The lease store answers only "take it", so the probe takes
 * the lease for a millisecond and gives it straight back: a driver that asks at that moment
 * waits a few milliseconds (its acquire loop backs off and retries), nothing more.
 */
export async function leaseIsFree(leases: LeaseProbe, threadId: string): Promise<boolean> {
  const owner = `sweep:${randomUUID()}`;
  if (!(await leases.acquire(threadId, owner, Date.now(), 1))) return false;
  await leases.release(threadId, owner);
  return true;
}
