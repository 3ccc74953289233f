import { agentPrincipal, delegatedPrincipal, hs256Keys, signApprovalDecision } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import type { AssertFact } from "./fact.js";
import { MemoryStore } from "./memory-store.js";

const keys = hs256Keys("a-test-secret-that-is-long-enough-for-hs256-0123456789");
const router = agentPrincipal("router", ["memory:write:acme", "memory:attest:*:100"]);
const scope = { tenant: "acme" };
const source = { type: "message", threadId: "t1" } as const;
const director = { by: "ops-director", weight: 90 };
const planner = { by: "planner", weight: 40 };

let clock = new Date("2026-03-01T09:00:00.000Z");
const tick = (minutes = 1) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};

function fixture() {
  const db = new Database(":memory:");
  const audit = new SqliteAuditJournal(db);
  const store = new MemoryStore(db, { audit, tokenKeys: keys, now: () => clock });
  return { db, audit, store };
}

const fact = (value: string, extra: Partial<AssertFact> = {}): AssertFact => ({
  scope,
  entity: "zone B",
  attribute: "carrier",
  value,
  kind: "mandate",
  authority: director,
  source,
  ...extra,
});

describe("MemoryStore", () => {
  beforeEach(() => {
    clock = new Date("2026-03-01T09:00:00.000Z");
  });

  it("adds, updates, ignores a restatement and retracts, keeping one current fact per key", async () => {
    const { store, audit } = fixture();
    const [added] = await store.write({ principal: router }, [fact("Carrier X")]);
    expect(added).toMatchObject({ event: "ADD", status: "applied" });
    tick();
    const [same] = await store.write({ principal: router }, [fact("carrier x ")]);
    expect(same).toMatchObject({ event: "NONE", status: "applied" });
    tick();
    const [updated] = await store.write({ principal: router }, [fact("Carrier Y")]);
    expect(updated).toMatchObject({ event: "UPDATE", status: "applied" });
    expect(updated?.previous).toMatchObject({
      status: "superseded",
      supersededBy: updated?.record?.id,
      value: "Carrier X",
    });
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier Y"]);
    tick();
    const [deleted] = await store.write({ principal: router }, [
      { op: "retract", scope, entity: "zone B", attribute: "carrier", authority: director, source },
    ]);
    expect(deleted).toMatchObject({ event: "DELETE", status: "applied", record: { status: "deleted" } });
    expect(store.current(router, scope)).toEqual([]);
    expect(store.history(router, scope).map((f) => [f.value, f.status])).toEqual([
      ["Carrier X", "superseded"],
      ["Carrier Y", "deleted"],
    ]);
    expect(audit.list().map((r) => [r.kind, r.outcome])).toEqual([
      ["memory", "written"],
      ["memory", "written"],
      ["memory", "written"],
      ["memory", "written"],
    ]);
  });

  it("never lets a suggestion supersede a mandate", async () => {
    const { store } = fixture();
    await store.write({ principal: router }, [fact("Carrier X")]);
    const [event] = await store.write({ principal: router }, [
      fact("regional couriers", { kind: "suggestion", authority: { by: "ops-director", weight: 95 } }),
    ]);
    expect(event).toMatchObject({ status: "refused" });
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier X"]);
  });

  it("answers what was true then and what was known then after a late correction", async () => {
    const { store } = fixture();
    await store.write({ principal: router }, [fact("Carrier X", { validFrom: "2026-02-01T00:00:00.000Z" })]);
    const beforeCorrection = new Date("2026-03-05T00:00:00.000Z");
    clock = new Date("2026-03-10T00:00:00.000Z");
    await store.write({ principal: router }, [fact("Carrier Y", { validFrom: "2026-03-01T00:00:00.000Z" })]);
    const value = (validAt: string, knownAt: Date | string) =>
      store.asOf(router, scope, { validAt, knownAt }).map((f) => f.value);
    expect(value("2026-03-05T00:00:00.000Z", clock)).toEqual(["Carrier Y"]);
    expect(value("2026-02-15T00:00:00.000Z", clock)).toEqual(["Carrier X"]);
    expect(value("2026-03-04T00:00:00.000Z", beforeCorrection)).toEqual(["Carrier X"]);
    expect(() => store.asOf(router, scope, { knownAt: "2027-01-01T00:00:00Z" })).toThrow(/in the future/);
    expect(() => store.asOf(router, scope, { knownAt: "2020-01-01T00:00:00Z" })).toThrow(
      /before the first record/,
    );
  });

  it("holds a lower authority's overwrite for a signed approval, applied once", async () => {
    const { store } = fixture();
    await store.write({ principal: router }, [fact("Carrier X")]);
    const [pending] = await store.write({ principal: router, threadId: "t1", node: "remember" }, [
      fact("Carrier Z", { authority: planner }),
    ]);
    expect(pending).toMatchObject({ status: "pending-approval", event: "UPDATE" });
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier X"]);
    const request = pending?.approval;
    if (!request) throw new Error("no approval request");
    const token = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request,
      now: clock,
    });
    const approvers = (id: string) => id === "sam";
    const applied = await store.decide(token, { approvers });
    expect(applied).toMatchObject({ event: "UPDATE", status: "applied" });
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier Z"]);
    await expect(store.decide(token, { approvers })).rejects.toMatchObject({ code: "APPROVAL_INVALID" });
  });

  it("refuses and audits a read or write of another tenant", async () => {
    const { store, audit } = fixture();
    await expect(
      store.write({ principal: router }, [fact("X", { scope: { tenant: "globex" } })]),
    ).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(() => store.current(router, { tenant: "globex" })).toThrow(/globex/);
    expect(audit.list().map((r) => r.outcome)).toEqual(["denied", "denied"]);
    const user42 = delegatedPrincipal(router, "42", ["memory:write:acme", "memory:attest:*:100"]);
    expect(() => store.current(user42, { tenant: "acme", user: "7" })).toThrow(/user 42, not user 7/);
  });

  it("refuses a malformed batch whole, naming the write", async () => {
    const { store, audit } = fixture();
    await expect(
      store.write({ principal: router }, [fact("Carrier X"), fact("", { entity: "zone C" })]),
    ).rejects.toMatchObject({ code: "MEMORY_FACT_INVALID", message: expect.stringContaining("writes[1]") });
    expect(store.history(router, scope)).toEqual([]);
    expect(audit.list()).toEqual([]);
  });
});

describe("MemoryStore late corrections of the same value", () => {
  it("moves a fact's start earlier instead of ignoring it as a restatement", async () => {
    clock = new Date("2026-03-10T00:00:00.000Z");
    const { store } = fixture();
    await store.write({ principal: router }, [fact("Carrier X")]);
    tick();
    const [event] = await store.write({ principal: router }, [
      fact("Carrier X", { validFrom: "2026-03-01T00:00:00.000Z" }),
    ]);
    expect(event).toMatchObject({ event: "UPDATE", status: "applied" });
    expect(store.asOf(router, scope, { validAt: "2026-03-05T00:00:00.000Z" }).map((f) => f.value)).toEqual([
      "Carrier X",
    ]);
  });
});

describe("MemoryStore when the clock steps back", () => {
  it("never closes a record before it was recorded, nor starts its successor earlier", async () => {
    clock = new Date("2026-03-10T12:00:00.000Z");
    const { store } = fixture();
    await store.write({ principal: router }, [fact("Carrier X")]);
    clock = new Date("2026-03-10T11:00:00.000Z");
    const [event] = await store.write({ principal: router }, [fact("Carrier Y")]);
    expect(event?.previous?.supersededAt).toBe("2026-03-10T12:00:00.000Z");
    expect(event?.record?.recordedAt).toBe("2026-03-10T12:00:00.000Z");
    expect(event?.previous?.validTo).toBe("2026-03-10T12:00:00.000Z");
    clock = new Date("2026-03-10T12:00:00.000Z");
    expect(store.current(router, scope).map((f) => f.value)).toEqual(["Carrier Y"]);
  });
});

describe("MemoryStore batch bounds", () => {
  it("refuses a batch over MAX_BATCH_WRITES whole, writing nothing", async () => {
    const { store, audit } = fixture();
    const writes = Array.from({ length: 1001 }, (_, i) => fact(`Carrier ${i}`, { entity: `zone ${i}` }));
    await expect(store.write({ principal: router }, writes)).rejects.toMatchObject({
      code: "MEMORY_FACT_INVALID",
      message: expect.stringContaining("at most 1000"),
    });
    expect(store.history(router, scope)).toEqual([]);
    expect(audit.list()).toEqual([]);
    expect(await store.write({ principal: router }, writes.slice(0, 1000))).toHaveLength(1000);
  });
});
