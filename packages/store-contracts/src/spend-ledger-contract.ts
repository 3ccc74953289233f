import type { SpendLedger } from "@governor/core";
import { describe, expect, it } from "vitest";
import { eachStore, instances } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

/** The spend ledger's contract: sums by principal and day, and a reservation that never overspends. */
export function describeSpendLedgerContract(label: string, open: OpenStore<SpendLedger>): void {
  describe(`SpendLedger contract: ${label}`, () => {
    const current = eachStore(open);
    const day = "2026-12-02";

    it("has spent nothing for a principal it never saw", async () => {
      expect(await current().store.spent("user:ana", day)).toBe(0);
      expect(await current().store.byPrincipal(day)).toEqual([]);
    });

    it("adds up a principal's day across runs, and a run's own calls, keeping days apart", async () => {
      const { store } = current();
      await store.add({ principal: "user:ana", day, threadId: "t1", costUsd: 0.25 });
      await store.add({ principal: "user:ana", day, threadId: "t1", costUsd: 0.5 });
      await store.add({ principal: "user:ana", day, threadId: "t2", costUsd: 1 });
      await store.add({ principal: "user:ana", day: "2026-12-03", threadId: "t3", costUsd: 8 });
      await store.add({ principal: "user:bo", day, threadId: "t4", costUsd: 2 });
      expect(await store.spent("user:ana", day)).toBe(1.75);
      expect(await store.spent("user:ana", "2026-12-03")).toBe(8);
      expect(await store.spent("user:bo", day)).toBe(2);
    });

    it("tells each principal's spend and number of runs on a day, in principal order", async () => {
      const { store } = current();
      await store.add({ principal: "user:bo", day, threadId: "t4", costUsd: 2 });
      await store.add({ principal: "user:ana", day, threadId: "t1", costUsd: 0.25 });
      await store.add({ principal: "user:ana", day, threadId: "t2", costUsd: 1 });
      await store.add({ principal: "user:cy", day: "2026-12-01", threadId: "t5", costUsd: 9 });
      expect(await store.byPrincipal(day)).toEqual([
        { principal: "user:ana", costUsd: 1.25, runs: 2 },
        { principal: "user:bo", costUsd: 2, runs: 1 },
      ]);
    });

    it("reserves while the day's spend stays at or under the limit, and refuses past it without adding", async () => {
      const { store } = current();
      expect(await store.reserve({ principal: "user:ana", day, threadId: "t1", costUsd: 0.75 }, 1)).toEqual({
        ok: true,
        spent: 0.75,
      });
      expect(await store.reserve({ principal: "user:ana", day, threadId: "t2", costUsd: 0.25 }, 1)).toEqual({
        ok: true,
        spent: 1,
      });
      expect(await store.reserve({ principal: "user:ana", day, threadId: "t3", costUsd: 0.25 }, 1)).toEqual({
        ok: false,
        spent: 1,
      });
      expect(await store.reserve({ principal: "user:ana", day, threadId: "t3", costUsd: 0 }, 1)).toEqual({
        ok: true,
        spent: 1,
      });
      expect(await store.spent("user:ana", day)).toBe(1);
      // Another principal, or another day, has its own allowance.
      expect(await store.reserve({ principal: "user:bo", day, threadId: "t4", costUsd: 1 }, 1)).toMatchObject(
        { ok: true },
      );
      expect(
        await store.reserve({ principal: "user:ana", day: "2026-12-03", threadId: "t5", costUsd: 1 }, 1),
      ).toMatchObject({
        ok: true,
      });
    });

    it("keys any text as a principal, day or run: quotes, backslashes and SQL included", async () => {
      const { store } = current();
      const principal = "user:o'brien\\'; DROP TABLE spend_ledger; --";
      const entry = { principal, day, threadId: "t'1\\", costUsd: 0.5 };
      expect(await store.reserve(entry, 1)).toEqual({ ok: true, spent: 0.5 });
      expect(await store.reserve(entry, 1)).toEqual({ ok: true, spent: 1 });
      expect(await store.reserve(entry, 1)).toEqual({ ok: false, spent: 1 });
      expect(await store.spent(principal, day)).toBe(1);
      expect(await store.byPrincipal(day)).toEqual([{ principal, costUsd: 1, runs: 1 }]);
    });

    it("never lets concurrent reservers spend past the limit", async () => {
      const ledgers = await instances(current(), 4, (ledger) => ledger.spent("warm-up", day));
      for (let round = 0; round < 3; round++) {
        const principal = `user:${round}`;
        const results = await Promise.all(
          Array.from({ length: 48 }, (_, i) =>
            ledgers[i % ledgers.length]?.reserve({ principal, day, threadId: `t${i}`, costUsd: 0.25 }, 2.5),
          ),
        );
        expect(results.filter((result) => result?.ok)).toHaveLength(10);
        for (const result of results) expect(result?.spent).toBeLessThanOrEqual(2.5);
        expect(await current().store.spent(principal, day)).toBe(2.5);
      }
    });

    it("counts another instance's spend in a reservation", async () => {
      const opened = current();
      if (!opened.another) return;
      const other = await opened.another();
      await other.add({ principal: "user:ana", day, threadId: "t1", costUsd: 0.9 });
      expect(
        await opened.store.reserve({ principal: "user:ana", day, threadId: "t2", costUsd: 0.2 }, 1),
      ).toEqual({
        ok: false,
        spent: 0.9,
      });
    });
  });
}
