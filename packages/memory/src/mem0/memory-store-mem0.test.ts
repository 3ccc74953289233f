import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { AssertFact, FactKey, RetractFact } from "../fact.js";
import type { FactIndex } from "../fact-index.js";
import { MemoryStore } from "../memory-store.js";
import { scopeKey } from "../scope-key.js";
import { Mem0FactIndex } from "./mem0-fact-index.js";
import { openMemoryStore } from "./open-memory-store.js";

const router = agentPrincipal("router", ["memory:write:acme", "memory:attest:ops-director:90"]);
const scope = { tenant: "acme" };
const source = { type: "message", threadId: "t1" } as const;
const director = { by: "ops-director", weight: 90 };
const zoneB = { entity: "zone B", attribute: "carrier" };
const zoneA = { entity: "zone A", attribute: "carrier" };

const mandate = (key: FactKey, value: string): AssertFact => ({
  scope,
  ...key,
  value,
  kind: "mandate",
  authority: director,
  source,
});
const retract = (key: FactKey): RetractFact => ({
  op: "retract",
  scope,
  ...key,
  authority: director,
  source,
});

/** The real Mem0 index behind a door that fails the next `failures` writes, counting every attempt. */
class FlakyIndex implements FactIndex {
  attempts = 0;
  constructor(
    readonly inner: Mem0FactIndex,
    public failures: number,
  ) {}
  async upsert(scopeKey: string, key: FactKey, text: string): Promise<void> {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error("disk I/O error (injected)");
    }
    await this.inner.upsert(scopeKey, key, text);
  }
  remove(scopeKey: string, key: FactKey): Promise<void> {
    return this.inner.remove(scopeKey, key);
  }
  search(scopeKey: string, query: string, limit: number): Promise<FactKey[]> {
    return this.inner.search(scopeKey, query, limit);
  }
}

describe("MemoryStore on Mem0", () => {
  it.each(["mem0", "cosine"] as const)(
    "searches only current facts: an updated mandate's old value and a retracted one never come back (ranking %s)",
    async (ranking) => {
      const db = new Database(":memory:");
      const store = openMemoryStore({ db, audit: new SqliteAuditJournal(db), dir: ":memory:", ranking });
      await store.write({ principal: router }, [mandate(zoneB, "Carrier X"), mandate(zoneA, "DHL Freight")]);
      await store.write({ principal: router }, [mandate(zoneB, "Carrier Y")]);
      await store.write({ principal: router }, [retract(zoneA)]);

      // Every query, including ones worded after the superseded and retracted values.
      for (const query of [
        "carrier for zone B",
        "Carrier X",
        "zone B carrier: Carrier X",
        "DHL Freight",
        "zone A",
      ]) {
        const found = await store.search(router, scope, query, 10);
        for (const fact of found) {
          expect(fact.status).toBe("active");
          expect([fact.entity, fact.value]).toEqual(["zone B", "Carrier Y"]);
        }
      }
      expect(
        (await store.search(router, scope, "which carrier serves zone B?", 10)).map((f) => f.value),
      ).toEqual(["Carrier Y"]);

      const index = store.index as Mem0FactIndex;
      const key = scopeKey(scope);
      expect((await index.history(key, zoneB)).map((e) => [e.action, e.newValue])).toEqual([
        ["ADD", "zone B carrier: Carrier X"],
        ["UPDATE", "zone B carrier: Carrier Y"],
      ]);
      expect((await index.history(key, zoneA)).map((e) => [e.action, e.previousValue])).toEqual([
        ["ADD", null],
        ["DELETE", "zone A carrier: DHL Freight"],
      ]);

      // A vector that lags behind the facts (its text still the superseded value) finds the key,
      // but the value always comes from the facts table.
      await index.upsert(key, zoneB, "zone B carrier: Carrier X");
      expect((await store.search(router, scope, "Carrier X", 10)).map((f) => f.value)).toEqual(["Carrier Y"]);
      index.close();
    },
  );

  it("retries an index change that failed (the facts were committed) at the next sync, adding it to Mem0 once", async () => {
    const db = new Database(":memory:");
    const mem0 = new Mem0FactIndex({ dir: ":memory:" });
    const index = new FlakyIndex(mem0, 1);
    const store = new MemoryStore(db, { audit: new SqliteAuditJournal(db), index });

    // The write is the committed batch: it returns its events, and the lag is visible.
    const [event] = await store.write({ principal: router }, [mandate(zoneB, "Carrier X")]);
    expect(event).toMatchObject({ event: "ADD", status: "applied" });
    expect(store.indexLag()).toMatchObject({ pending: 1, lastError: expect.stringMatching(/injected/) });
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier X"]);
    expect(await mem0.search(scopeKey(scope), "zone B carrier", 5)).toEqual([]);

    const found = await store.search(router, scope, "zone B carrier", 5);
    expect(found.map((f) => f.value)).toEqual(["Carrier X"]);
    expect(index.attempts).toBe(2);
    expect((await mem0.history(scopeKey(scope), zoneB)).map((e) => e.action)).toEqual(["ADD"]);

    await store.syncIndex();
    expect(index.attempts).toBe(2);
    expect(store.indexLag()).toEqual({ pending: 0 });
    mem0.close();
  });

  it("keeps the change queued while Mem0 keeps failing, in order, and applies the last truth once it recovers", async () => {
    const db = new Database(":memory:");
    const mem0 = new Mem0FactIndex({ dir: ":memory:" });
    const index = new FlakyIndex(mem0, 3);
    const store = new MemoryStore(db, { audit: new SqliteAuditJournal(db), index });
    store.writeNow({ principal: router }, [mandate(zoneB, "Carrier X")]);
    store.writeNow({ principal: router }, [mandate(zoneB, "Carrier Y")]);
    for (let i = 0; i < 3; i++) await expect(store.syncIndex()).rejects.toThrow(/injected/);
    await store.syncIndex();
    expect((await mem0.history(scopeKey(scope), zoneB)).map((e) => [e.action, e.newValue])).toEqual([
      ["ADD", "zone B carrier: Carrier X"],
      ["UPDATE", "zone B carrier: Carrier Y"],
    ]);
    expect((await store.search(router, scope, "Carrier Y", 5)).map((f) => f.value)).toEqual(["Carrier Y"]);
    mem0.close();
  });
});

describe("MemoryStore.reindex", () => {
  it("rebuilds a lost Mem0 index from the facts table: current keys only, found again by search", async () => {
    const db = new Database(":memory:");
    const audit = new SqliteAuditJournal(db);
    const first = new Mem0FactIndex({ dir: ":memory:" });
    const store = new MemoryStore(db, { audit, index: first });
    await store.write({ principal: router }, [mandate(zoneB, "Carrier X")]);
    await store.write({ principal: router }, [mandate(zoneB, "Carrier Y")]);
    await store.write({ principal: router }, [
      mandate({ entity: "zone C", attribute: "carrier" }, "Carrier Q"),
    ]);
    first.close();

    // The index is gone (a wiped directory): the same facts table over an empty Mem0 index.
    const fresh = new Mem0FactIndex({ dir: ":memory:" });
    const reopened = new MemoryStore(db, { audit, index: fresh });
    expect(await fresh.search(scopeKey(scope), "zone B carrier", 5)).toEqual([]);
    expect(await reopened.reindex()).toBe(2);
    const found = await reopened.search(router, scope, "zone B carrier", 5);
    expect(found.map((f) => f.value)).toContain("Carrier Y");
    expect(found.map((f) => f.value)).not.toContain("Carrier X");
    expect(reopened.indexLag()).toEqual({ pending: 0 });
    fresh.close();
  });
});
