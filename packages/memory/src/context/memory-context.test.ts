import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../memory-store.js";
import { buildMemoryContext } from "./memory-context.js";

const reader = agentPrincipal("router", ["memory:write:acme", "memory:attest:*:100"]);
const scope = { tenant: "acme" };
const source = { type: "manual" } as const;

describe("buildMemoryContext", () => {
  it("gives only current facts, labelled, most binding first, within the budget", async () => {
    let now = new Date("2026-03-01T00:00:00.000Z");
    const db = new Database(":memory:");
    const store = new MemoryStore(db, { audit: new SqliteAuditJournal(db), now: () => now });
    const boss = { by: "ops-director", weight: 90 };
    await store.write({ principal: reader }, [
      {
        scope,
        entity: "zone B",
        attribute: "carrier",
        value: "Carrier X",
        kind: "mandate",
        authority: boss,
        source,
      },
      {
        scope,
        entity: "zone C",
        attribute: "carrier",
        value: "regional couriers?",
        kind: "suggestion",
        authority: { by: "planner", weight: 30 },
        source,
      },
      {
        scope,
        entity: "customer 7",
        attribute: "email",
        value: "ann@example.com",
        kind: "observation",
        authority: boss,
        source,
      },
    ]);
    now = new Date("2026-03-02T00:00:00.000Z");
    await store.write({ principal: reader }, [
      {
        scope,
        entity: "zone B",
        attribute: "carrier",
        value: "Carrier Y",
        kind: "mandate",
        authority: boss,
        source,
      },
    ]);
    const context = await buildMemoryContext(store, {
      principal: reader,
      scopes: [scope],
      mask: (text) => text.replace(/\S+@\S+/g, "[email]"),
    });
    expect(context.text).toContain("[mandate · ops-director, weight 90] zone B carrier: Carrier Y");
    expect(context.text).not.toContain("Carrier X");
    expect(context.text).not.toContain("ann@example.com");
    expect(context.facts.map((f) => f.kind)).toEqual(["mandate", "observation", "suggestion"]);

    const small = await buildMemoryContext(store, { principal: reader, scopes: [scope], maxTokens: 60 });
    expect(small.facts.map((f) => f.value)).toEqual(["Carrier Y"]);
    expect(small.omitted).toBe(2);

    const then = await buildMemoryContext(store, {
      principal: reader,
      scopes: [scope],
      keys: [{ entity: "zone B", attribute: "carrier" }],
      knownAt: new Date("2026-03-01T12:00:00.000Z"),
    });
    expect(then.facts.map((f) => f.value)).toEqual(["Carrier X"]);
  });
});
