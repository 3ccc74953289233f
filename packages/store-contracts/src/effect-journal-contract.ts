import type { EffectJournal } from "@governor/core";
import { toPlainJson } from "@governor/observability";
import { describe, expect, it } from "vitest";
import { eachStore, failureOf, instances } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

/** The idempotency journal's contract: what SqliteEffectJournal answers, every backend answers. */
export function describeEffectJournalContract(label: string, open: OpenStore<EffectJournal>): void {
  describe(`EffectJournal contract: ${label}`, () => {
    const current = eachStore(open);

    it("knows nothing of a key never started", async () => {
      expect(await current().store.get("never")).toBeUndefined();
    });

    it("records a started call with its tool", async () => {
      const { store } = current();
      expect(await store.start("k1", "refund", "t1")).toBe(true);
      expect(await store.get("k1")).toEqual({ status: "started", key: "k1", tool: "refund" });
    });

    it("reads a committed result back as JSON wrote it, nested values and unicode included", async () => {
      const { store } = current();
      const result = {
        id: "re_1",
        amount: 42.5,
        ok: true,
        none: null,
        lines: [
          { sku: "a", qty: 2 },
          { sku: "b", qty: 0 },
        ],
        note: 'café ✓ \u{1F600} "quoted" \\ back\nslash \u0000 nul',
        when: new Date(Date.UTC(2026, 11, 2, 9, 30)),
        skipped: undefined,
      };
      await store.start("k1", "refund", "t1");
      await store.commit("k1", result);
      expect(await store.get("k1")).toEqual({
        status: "committed",
        key: "k1",
        tool: "refund",
        result: JSON.parse(JSON.stringify(toPlainJson(result))),
      });
    });

    it("keeps a plain string, number or null result as it was", async () => {
      const { store } = current();
      for (const [key, value] of [
        ["s", "done"],
        ["n", 7],
        ["z", null],
      ] as const) {
        await store.start(key, "tool", "t1");
        await store.commit(key, value);
        expect((await store.get(key)) as { result: unknown }).toMatchObject({
          status: "committed",
          result: value,
        });
      }
    });

    it("refuses a result it cannot store, leaving the call started", async () => {
      const { store } = current();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await store.start("k1", "tool", "t1");
      expect(await failureOf(() => store.commit("k1", circular))).toMatchObject({
        code: "VALUE_UNSERIALIZABLE",
      });
      expect(await store.get("k1")).toEqual({ status: "started", key: "k1", tool: "tool" });
    });

    it("records an effect whose result was lost as committed, with why", async () => {
      const { store } = current();
      await store.start("k1", "tool", "t1");
      await store.commitUnrecorded("k1", "circular result");
      expect(await store.get("k1")).toEqual({
        status: "committed",
        key: "k1",
        tool: "tool",
        result: null,
        unrecorded: "circular result",
      });
    });

    it("records a failure with its reason (failed unless told timeout)", async () => {
      const { store } = current();
      await store.start("a", "tool", "t1");
      await store.fail("a", "boom");
      expect(await store.get("a")).toEqual({
        status: "failed",
        key: "a",
        tool: "tool",
        error: "boom",
        reason: "failed",
      });
      await store.start("b", "tool", "t1");
      await store.fail("b", "no answer in 5 s", "timeout");
      expect(await store.get("b")).toMatchObject({
        status: "failed",
        error: "no answer in 5 s",
        reason: "timeout",
      });
    });

    describe("start is a compare-and-set on the key's status", () => {
      it("claims a new key once: a second claim expecting no record loses", async () => {
        const { store } = current();
        expect(await store.start("k1", "tool", "t1")).toBe(true);
        expect(await store.start("k1", "tool", "t1")).toBe(false);
        expect(await store.start("k1", "tool", "t1", undefined)).toBe(false);
      });

      it("re-claims a failed call only while it is still failed", async () => {
        const { store } = current();
        await store.start("k1", "tool", "t1");
        expect(await store.start("k1", "tool", "t1", "failed")).toBe(false);
        await store.fail("k1", "boom");
        expect(await store.start("k1", "tool", "t1", "failed")).toBe(true);
        expect(await store.get("k1")).toEqual({ status: "started", key: "k1", tool: "tool" });
        expect(await store.start("k1", "tool", "t1", "failed")).toBe(false);
      });

      it("re-claims a call left started (an idempotent tool after a crash) only while it is started", async () => {
        const { store } = current();
        await store.start("k1", "tool", "t1");
        expect(await store.start("k1", "tool", "t1", "started")).toBe(true);
        await store.commit("k1", { ok: 1 });
        expect(await store.start("k1", "tool", "t1", "started")).toBe(false);
      });

      it("never claims a committed call again, and keeps its result", async () => {
        const { store } = current();
        await store.start("k1", "tool", "t1");
        await store.commit("k1", { refund: "re_1" });
        expect(await store.start("k1", "tool", "t1")).toBe(false);
        expect(await store.start("k1", "tool", "t1", "failed")).toBe(false);
        expect(await store.get("k1")).toMatchObject({ status: "committed", result: { refund: "re_1" } });
      });

      it("does not claim a key that has no record when the caller expected one", async () => {
        const { store } = current();
        expect(await store.start("missing", "tool", "t1", "failed")).toBe(false);
        expect(await store.get("missing")).toBeUndefined();
      });

      it("lets exactly one of two concurrent claims of a new key win", async () => {
        const [a, b] = await instances(current(), 2, (journal) => journal.get("warm-up"));
        for (let round = 0; round < 10; round++) {
          const key = `race-${round}`;
          const won = await Promise.all([a?.start(key, "tool", "t1"), b?.start(key, "tool", "t2")]);
          expect(won.filter(Boolean)).toHaveLength(1);
        }
      });

      it("lets exactly one of many concurrent re-claims of a failed call win", async () => {
        const opened = current();
        await opened.store.start("k1", "tool", "t1");
        await opened.store.fail("k1", "boom");
        const drivers = await instances(opened, 4, (journal) => journal.get("warm-up"));
        const won = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            drivers[i % drivers.length]?.start("k1", "tool", "t1", "failed"),
          ),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        expect(await opened.store.get("k1")).toMatchObject({ status: "started" });
      });
    });

    it("shows another instance's writes at once", async () => {
      const opened = current();
      if (!opened.another) return;
      const other = await opened.another();
      await opened.store.start("k1", "tool", "t1");
      await opened.store.commit("k1", [1, 2, 3]);
      expect(await other.get("k1")).toMatchObject({ status: "committed", result: [1, 2, 3] });
    });
  });
}
