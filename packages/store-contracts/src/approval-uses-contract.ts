import type { ApprovalUseLedger } from "@governor/core";
import { describe, expect, it } from "vitest";
import { eachStore, instances } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

/** The approval-use ledger's contract: a signed decision is good for the one request it was first used on. */
export function describeApprovalUsesContract(label: string, open: OpenStore<ApprovalUseLedger>): void {
  describe(`ApprovalUseLedger contract: ${label}`, () => {
    const current = eachStore(open);
    const use = { threadId: "t1", node: "approve", callId: "c1" };

    it("accepts a new decision and the same request again (a node re-run on resume)", async () => {
      const { store } = current();
      expect(await store.claim("jti-1", use)).toBe(true);
      expect(await store.claim("jti-1", use)).toBe(true);
      expect(await store.claim("jti-1", { ...use })).toBe(true);
    });

    it("refuses the decision for any other thread, node or call, and keeps it bound to the first", async () => {
      const { store } = current();
      await store.claim("jti-1", use);
      expect(await store.claim("jti-1", { ...use, threadId: "t2" })).toBe(false);
      expect(await store.claim("jti-1", { ...use, node: "other" })).toBe(false);
      expect(await store.claim("jti-1", { ...use, callId: "c2" })).toBe(false);
      expect(await store.claim("jti-1", use)).toBe(true);
    });

    it("keeps decisions apart by their token id", async () => {
      const { store } = current();
      expect(await store.claim("jti-1", use)).toBe(true);
      expect(await store.claim("jti-2", { ...use, callId: "c2" })).toBe(true);
      expect(await store.claim("jti-2", use)).toBe(false);
    });

    it("binds a decision raced for two requests to exactly one of them", async () => {
      const ledgers = await instances(current(), 2, (ledger) => ledger.claim("warm-up", use));
      for (let round = 0; round < 10; round++) {
        const jti = `race-${round}`;
        const won = await Promise.all([
          ledgers[0]?.claim(jti, use),
          ledgers[1]?.claim(jti, { ...use, threadId: "t2" }),
        ]);
        expect(won.filter(Boolean)).toHaveLength(1);
      }
    });

    it("refuses on one instance a decision another already used elsewhere", async () => {
      const opened = current();
      if (!opened.another) return;
      const other = await opened.another();
      expect(await opened.store.claim("jti-1", use)).toBe(true);
      expect(await other.claim("jti-1", { ...use, threadId: "t2" })).toBe(false);
      expect(await other.claim("jti-1", use)).toBe(true);
    });
  });
}
