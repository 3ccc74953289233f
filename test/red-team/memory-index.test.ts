import type { FactIndex, FactKey } from "@governor/memory";
import { MemoryStore } from "@governor/memory";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertion, rejected, retraction, router } from "./support/memory-fixture.js";

/**
 * The vector index is only a finder: whatever it answers, search returns the partition's
 * current facts and nothing else. A poisoned index (keys of every partition, retracted and
 * superseded keys, garbage entries, far more than asked for) and a failing one must not change
 * what the model is given; a failed index change never undoes or hides a committed write.
 */

/** An index that remembers every key it was ever given, in every partition, and answers with all of them. */
class PoisonedIndex implements FactIndex {
  readonly everything: { scopeKey: string; key: FactKey }[] = [];
  upserts = 0;
  failNext = 0;
  extra: unknown[] = [];
  async upsert(scopeKey: string, key: FactKey): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error("vector store unavailable");
    }
    this.upserts += 1;
    this.everything.push({ scopeKey, key });
  }
  async remove(): Promise<void> {
    // Forgets nothing: a stale vector must not matter.
  }
  async search(): Promise<FactKey[]> {
    return [...this.everything.map((entry) => entry.key), ...(this.extra as FactKey[])];
  }
}

let db: Database.Database;
let index: PoisonedIndex;
let store: MemoryStore;
beforeEach(() => {
  db = new Database(":memory:");
  index = new PoisonedIndex();
  store = new MemoryStore(db, { audit: new SqliteAuditJournal(db), index });
});
afterEach(() => db.close());

const admin = { ...router, id: "agent:root", scopes: ["memory:admin"] };

describe("memory index: a poisoned or failing index", () => {
  it("MX-1 keys of other partitions, retracted and superseded keys never come back from search", async () => {
    await store.write({ principal: admin }, [
      assertion("Carrier G", { scope: { tenant: "globex" } }),
      assertion("Carrier X"),
      assertion("secret", { entity: "bob", attribute: "pin", scope: { tenant: "acme", user: "bob" } }),
      assertion("gone", { entity: "zone C" }),
    ]);
    await store.write({ principal: admin }, [assertion("Carrier Y"), retraction({ entity: "zone C" })]);
    const found = await store.search(router, { tenant: "acme" }, "carrier");
    expect(found.map((fact) => `${fact.entity}=${String(fact.value)}`)).toEqual(["zone B=Carrier Y"]);
    expect(found.every((fact) => fact.status === "active" && fact.scopeKey === "t=acme")).toBe(true);
  });

  it("MX-2 garbage entries from the index (null, numbers, objects without names) are ignored, not a crash", async () => {
    await store.write({ principal: router }, [assertion("Carrier X")]);
    index.extra = [null, 7, {}, { entity: 1, attribute: [] }, { entity: "__proto__", attribute: "x" }];
    const found = await store.search(router, { tenant: "acme" }, "carrier");
    expect(found.map((fact) => fact.value)).toEqual(["Carrier X"]);
  });

  it("MX-3 search never returns more facts than its limit, however many keys the index answers", async () => {
    await store.write(
      { principal: router },
      Array.from({ length: 30 }, (_, i) => assertion(`Carrier ${i}`, { entity: `zone ${i}` })),
    );
    expect(await store.search(router, { tenant: "acme" }, "carrier", 5)).toHaveLength(5);
  });

  it("MX-4 a limit that is not a positive whole number, or a query that is not text, is a typed refusal; a blank query finds nothing", async () => {
    await store.write({ principal: router }, [assertion("Carrier X")]);
    for (const query of [undefined, null, 7, { $ne: "" }, ["carrier"]] as unknown as string[]) {
      expect((await rejected(store.search(router, { tenant: "acme" }, query))).code, String(query)).toBe(
        "MEMORY_FACT_INVALID",
      );
    }
    expect(await store.search(router, { tenant: "acme" }, "   ")).toEqual([]);
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10" as unknown as number]) {
      expect(
        (await rejected(store.search(router, { tenant: "acme" }, "carrier", limit))).code,
        String(limit),
      ).toBe("MEMORY_FACT_INVALID");
    }
  });

  it("MX-5 an index that fails during write(): the write is committed all the same, and the next sync delivers it once", async () => {
    index.failNext = 1;
    // write() returns the committed batch's events; the outage shows in indexLag(), not as a failed write.
    const [event] = await store.write({ principal: router }, [assertion("Carrier X")]);
    expect(event).toMatchObject({ event: "ADD", status: "applied" });
    expect(store.indexLag().pending).toBe(1);
    expect(store.current(router, { tenant: "acme" }).map((fact) => fact.value)).toEqual(["Carrier X"]);
    expect(await store.search(router, { tenant: "acme" }, "carrier")).toHaveLength(1);
    await store.syncIndex();
    expect(index.upserts).toBe(1);
  });
});
