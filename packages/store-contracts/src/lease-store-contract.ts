import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import type { LeaseStore } from "@governor/core";
import { describe, expect, it } from "vitest";
import { eachStore, instances } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

const owner = (name: string, pid = process.pid, host = hostname()) => JSON.stringify({ host, pid, id: name });

/** The pid of a process that has exited (a worker that crashed on this machine). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("could not start a process to find a dead pid");
  return child.pid;
}

/** The lease store's contract: one driver per run, a lapsed or orphaned lease taken over, none stolen early. */
export function describeLeaseStoreContract(label: string, open: OpenStore<LeaseStore>): void {
  describe(`LeaseStore contract: ${label}`, () => {
    const current = eachStore(open);
    const now = 1_000_000;

    it("gives a free run's lease to the first owner and refuses others until it lapses", async () => {
      const { store } = current();
      expect(await store.acquire("t1", owner("a"), now, 100)).toBe(true);
      expect(await store.acquire("t1", owner("b"), now + 50, 100)).toBe(false);
      // The holder itself does not renew a live lease by acquiring it again.
      expect(await store.acquire("t1", owner("a"), now + 50, 100)).toBe(false);
      // Lapsed only once its end is in the past.
      expect(await store.acquire("t1", owner("b"), now + 100, 100)).toBe(false);
      expect(await store.acquire("t1", owner("b"), now + 101, 100)).toBe(true);
      expect(await store.acquire("t1", owner("a"), now + 150, 100)).toBe(false);
    });

    it("keeps runs' leases apart", async () => {
      const { store } = current();
      expect(await store.acquire("t1", owner("a"), now, 100)).toBe(true);
      expect(await store.acquire("t2", owner("b"), now, 100)).toBe(true);
    });

    it("frees a lease only when its holder releases it", async () => {
      const { store } = current();
      await store.acquire("t1", owner("a"), now, 100);
      await store.release("t1", owner("b"));
      expect(await store.acquire("t1", owner("b"), now + 1, 100)).toBe(false);
      await store.release("t1", owner("a"));
      expect(await store.acquire("t1", owner("b"), now + 1, 100)).toBe(true);
    });

    it("renews a lease only for its holder, and a renewed lease is not taken when the first term ends", async () => {
      const { store } = current();
      expect(await store.acquire("t1", owner("a"), now, 100)).toBe(true);
      expect(await store.renew("t1", owner("b"), now + 50, 100)).toBe(false);
      expect(await store.renew("t1", owner("a"), now + 50, 100)).toBe(true);
      expect(await store.acquire("t1", owner("b"), now + 120, 100)).toBe(false);
      expect(await store.acquire("t1", owner("b"), now + 151, 100)).toBe(true);
      // Lapsed and taken: the first holder's renewal fails, and the new holder keeps it.
      expect(await store.renew("t1", owner("a"), now + 152, 100)).toBe(false);
      expect(await store.acquire("t1", owner("a"), now + 160, 100)).toBe(false);
    });

    it("takes over at once a lease whose holder process on this machine is gone", async () => {
      const { store } = current();
      expect(await store.acquire("t1", owner("crashed", deadPid()), now, 60_000)).toBe(true);
      expect(await store.acquire("t1", owner("b"), now + 1, 60_000)).toBe(true);
      expect(await store.acquire("t1", owner("c"), now + 2, 60_000)).toBe(false);
    });

    it("does not take over early a lease held by a live process, or by one on another machine", async () => {
      const { store } = current();
      expect(await store.acquire("t1", owner("live", process.ppid), now, 60_000)).toBe(true);
      expect(await store.acquire("t1", owner("b"), now + 1, 60_000)).toBe(false);
      expect(await store.acquire("t2", owner("far", deadPid(), "another-host.invalid"), now, 60_000)).toBe(
        true,
      );
      expect(await store.acquire("t2", owner("b"), now + 1, 60_000)).toBe(false);
      expect(await store.acquire("t3", "not json", now, 60_000)).toBe(true);
      expect(await store.acquire("t3", owner("b"), now + 1, 60_000)).toBe(false);
    });

    it("gives a free lease raced for by several owners to exactly one", async () => {
      const stores = await instances(current(), 3, (store) => store.release("warm-up", "nobody"));
      for (let round = 0; round < 10; round++) {
        const won = await Promise.all(
          stores.map((store, i) => store.acquire(`race-${round}`, owner(`w${i}`), now, 60_000)),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
      }
    });
  });
}
