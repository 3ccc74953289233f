import { GovernorError } from "@governor/errors";
import { remember } from "@governor/memory";
import { HumanMessage } from "@langchain/core/messages";
import { beforeEach, describe, expect, it } from "vitest";
import { authorityOf, mandate, scope, scriptedModel, storeFixture, writer } from "./fixture.js";

const now = { at: new Date("2026-02-20T09:00:00.000Z") };

const say = (id: string, name: string, content: string) => new HumanMessage({ id, name, content });

/** A short operations thread: a brainstorm, a rule, its change, a retraction, a late correction, a late brainstorm. */
const conversation = [
  say("m0", "planner", "Brainstorm: should we try regional couriers for Zone B?"),
  say("m1", "ops-director", "Rule: use Carrier X for Zone B."),
  say("m2", "ops-director", "Change of plan: from now on Zone B ships with Carrier Y."),
  say("m3", "ops-director", "We no longer require a signature for Zone B."),
  say("m4", "ops-director", "Correction: from March 1 the Zone C carrier was actually Carrier R."),
  say("m5", "planner", "Maybe Carrier Z for Zone B?"),
];

const extracted = {
  facts: [
    {
      op: "assert",
      message: 0,
      entity: "Zone B",
      attribute: "carrier",
      value: "regional couriers",
      kind: "suggestion",
      quote: "should we try regional couriers for Zone B?",
    },
    {
      op: "assert",
      message: 1,
      entity: "Zone B",
      attribute: "carrier",
      value: "Carrier X",
      kind: "mandate",
      quote: "use Carrier X for Zone B",
    },
    {
      op: "assert",
      message: 2,
      entity: "Zone B",
      attribute: "carrier",
      value: "Carrier Y",
      kind: "mandate",
      quote: "Zone B ships with Carrier Y",
    },
    {
      op: "retract",
      message: 3,
      entity: "Zone B",
      attribute: "signature required",
      quote: "We no longer require a signature for Zone B.",
    },
    {
      op: "assert",
      message: 4,
      entity: "Zone C",
      attribute: "carrier",
      value: "Carrier R",
      kind: "mandate",
      validFrom: "2026-03-01",
      quote: "from March 1 the Zone C carrier was actually Carrier R",
    },
    {
      op: "assert",
      message: 5,
      entity: "Zone B",
      attribute: "carrier",
      value: "Carrier Z",
      kind: "suggestion",
      quote: "Maybe Carrier Z for Zone B?",
    },
  ],
};

/** The partition before the conversation: Zone C on Carrier Q, Zone B deliveries need a signature. */
async function seeded() {
  const fixture = storeFixture(now);
  await fixture.store.write({ principal: writer }, [
    mandate("Zone C", "carrier", "Carrier Q"),
    mandate("Zone B", "signature required", "yes"),
  ]);
  now.at = new Date("2026-03-10T09:00:00.000Z");
  return fixture;
}

describe("remember", () => {
  beforeEach(() => {
    now.at = new Date("2026-02-20T09:00:00.000Z");
  });

  it("extracts a brainstorm, a mandate, its change, a retraction and a late correction, and keeps only the current truth", async () => {
    const { store, audit } = await seeded();
    const auditBefore = audit.list().length;
    const { model, calls } = scriptedModel(extracted);

    const events = await remember(store, model, {
      principal: writer,
      scope,
      messages: conversation,
      authorityOf,
      threadId: "t-ops",
      node: "remember",
      now: now.at,
    });

    expect(events.map((e) => [e.event, e.status, e.key.entity, e.key.attribute])).toEqual([
      ["ADD", "applied", "Zone B", "carrier"],
      ["UPDATE", "applied", "Zone B", "carrier"],
      ["UPDATE", "applied", "Zone B", "carrier"],
      ["DELETE", "applied", "Zone B", "signature required"],
      ["UPDATE", "applied", "Zone C", "carrier"],
      ["UPDATE", "refused", "Zone B", "carrier"],
    ]);
    // Every key matched exactly: the matching model was never asked.
    expect(calls).toEqual({ extraction: 1, matching: 0 });

    const current = store.current(writer, scope);
    expect(current.map((f) => [f.entity, f.attribute, f.value, f.kind, f.authority.by])).toEqual([
      ["Zone B", "carrier", "Carrier Y", "mandate", "ops-director"],
      ["Zone C", "carrier", "Carrier R", "mandate", "ops-director"],
    ]);
    const zoneB = current.find((f) => f.entity === "Zone B");
    expect(zoneB?.authority).toEqual({ by: "ops-director", weight: 90 });
    expect(zoneB?.source).toEqual({ type: "message", threadId: "t-ops", messageId: "m2" });
    expect(current.find((f) => f.entity === "Zone C")?.validFrom).toBe("2026-03-01T00:00:00.000Z");

    // The brainstorm is on record, superseded by the rule; it never reaches the current facts.
    expect(
      store
        .history(writer, scope, { entity: "Zone B", attribute: "carrier" })
        .map((f) => [f.value, f.status]),
    ).toEqual([
      ["regional couriers", "superseded"],
      ["Carrier X", "superseded"],
      ["Carrier Y", "active"],
    ]);
    // The late correction changed world time without rewriting what was known before it.
    const zoneC = [{ entity: "Zone C", attribute: "carrier" }];
    expect(
      store.asOf(
        writer,
        scope,
        { validAt: "2026-03-05T00:00:00Z", knownAt: "2026-03-09T00:00:00Z" },
        zoneC,
      )[0]?.value,
    ).toBe("Carrier Q");
    expect(store.asOf(writer, scope, { validAt: "2026-03-05T00:00:00Z" }, zoneC)[0]?.value).toBe("Carrier R");
    expect(store.asOf(writer, scope, { validAt: "2026-02-25T00:00:00Z" }, zoneC)[0]?.value).toBe("Carrier Q");
    // One batch, one audit record.
    expect(audit.list().length).toBe(auditBefore + 1);
    expect(audit.list().at(-1)).toMatchObject({ kind: "memory", threadId: "t-ops", node: "remember" });
  });

  it("writes nothing when one fact of an otherwise good answer is malformed", async () => {
    const { store, audit } = await seeded();
    const before = { history: store.history(writer, scope), audit: audit.list().length };
    const bad = { facts: [...extracted.facts.slice(0, 5), { ...extracted.facts[5], message: 6 }] };
    const { model } = scriptedModel(bad);
    const error = await remember(store, model, {
      principal: writer,
      scope,
      messages: conversation,
      authorityOf,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GovernorError);
    expect(error).toMatchObject({ code: "MEMORY_EXTRACTION_INVALID" });
    expect((error as Error).message).toContain("facts.5.message");
    expect(store.history(writer, scope)).toEqual(before.history);
    expect(audit.list().length).toBe(before.audit);
  });

  it("refuses a principal that may not read the partition before asking the model", async () => {
    const { store, audit } = await seeded();
    const { model, calls } = scriptedModel(extracted);
    const other = { ...scope, tenant: "globex" };
    await expect(
      remember(store, model, { principal: writer, scope: other, messages: conversation, authorityOf }),
    ).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(calls.extraction).toBe(0);
    expect(audit.list().at(-1)).toMatchObject({ kind: "memory", outcome: "denied" });
  });

  it("asks nothing and writes nothing for an empty conversation or an answer with no facts", async () => {
    const { store, audit } = await seeded();
    const before = audit.list().length;
    const empty = scriptedModel({ facts: [] });
    expect(
      await remember(store, empty.model, { principal: writer, scope, messages: [], authorityOf }),
    ).toEqual([]);
    expect(empty.calls.extraction).toBe(0);
    expect(
      await remember(store, empty.model, { principal: writer, scope, messages: conversation, authorityOf }),
    ).toEqual([]);
    expect(empty.calls.extraction).toBe(1);
    expect(audit.list().length).toBe(before);
  });
});
