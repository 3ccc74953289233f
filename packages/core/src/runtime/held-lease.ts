import type { LeaseStore } from "../store/run-store.js";
import { RunLeases } from "./run-leases.js";

/**
 * How long a driver's lease lasts without renewal: a process that dies holding it (on another
 * machine, where its death cannot be seen) blocks the run this long at most. A live driver
 * renews it every LEASE_RENEW_MS, however long the run takes.
 */
export const LEASE_TTL_MS = 60_000;
export const LEASE_RENEW_MS = 15_000;

/** A run's lease, held and kept renewed until `release`. */
export interface HeldLease {
  release(): Promise<void>;
}

/**
 * Takes the run's lease once, and while it is held renews it every LEASE_RENEW_MS. Undefined
 * when another driver holds it. The runtime (which waits and asks again) and the API-server
 * recorder (which refuses at once) both drive runs under it.
 */
export async function takeLease(leases: LeaseStore, threadId: string): Promise<HeldLease | undefined> {
  const owner = RunLeases.owner();
  // Wall time, not a runtime's clock: leases are shared with processes on other clocks.
  if (!(await leases.acquire(threadId, owner, Date.now(), LEASE_TTL_MS))) return undefined;
  const renewal = setInterval(() => {
    // A failed renewal (the store away for a moment) is tried again next time; the lease
    // outlives a few misses, and the effect journal's claims hold even if it lapsed.
    Promise.resolve()
      .then(() => leases.renew(threadId, owner, Date.now(), LEASE_TTL_MS))
      .catch(() => undefined);
  }, LEASE_RENEW_MS);
  renewal.unref();
  return {
    async release() {
      clearInterval(renewal);
      await leases.release(threadId, owner);
    },
  };
}
