import { agentPrincipal } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acme,
  assertion,
  chat,
  currentOf,
  director,
  type MemoryFixture,
  memoryFixture,
  planner,
  retraction,
  router,
  thrown,
  writeAs,
} from "./support/memory-fixture.js";

/**
 * Authority escalation: a brainstorm, a chat or a lower-weight source tries to replace the
 * director's mandate "zone B uses Carrier X" by every path a writer controls (kind, weight,
 * value spelling, key spelling, retraction, many small steps). The mandate must stay the one
 * current fact of its key; each attempt is refused or left waiting for an approval, and the
 * facts table (the real effect) shows no second active record.
 */

let f: MemoryFixture;
beforeEach(() => {
  f = memoryFixture();
  writeAs(f, [assertion("Carrier X")]);
  f.tick();
});
afterEach(() => f.close());

/** The mandate is still the only current fact, and only one record of it exists. */
function mandateStands() {
  expect(currentOf(f)).toEqual(["zone B.carrier=Carrier X"]);
  expect(f.rows().filter((row) => row.status === "active")).toHaveLength(1);
  expect(f.doubleActive()).toEqual([]);
  expect(f.audit.verify().ok).toBe(true);
}

describe("memory authority: a suggestion never supersedes a mandate", () => {
  it("MA-1 a suggestion at the highest weight, by the director's own name, is refused", () => {
    const [event] = writeAs(f, [
      assertion("regional couriers", { kind: "suggestion", authority: { by: "ops-director", weight: 100 } }),
    ]);
    expect(event).toMatchObject({ status: "refused", event: "UPDATE" });
    mandateStands();
    expect(f.memoryAudit()).toEqual(["written", "refused"]);
  });

  it("MA-2 the mandate's own value restated as a suggestion writes nothing and does not weaken it", () => {
    const [same] = writeAs(f, [assertion("carrier x", { kind: "suggestion", authority: chat })]);
    expect(same).toMatchObject({ event: "NONE", status: "applied" });
    // The restatement must not have lowered the stored kind or weight: the chat still cannot replace it.
    const [then] = writeAs(f, [assertion("Carrier Z", { kind: "suggestion", authority: chat })]);
    expect(then).toMatchObject({ status: "refused" });
    mandateStands();
    expect(f.rows()[0]).toMatchObject({ kind: "mandate", authority_weight: 90 });
  });

  it("MA-3 suggestions in one batch, before and after a restatement, are all refused", () => {
    const events = writeAs(f, [
      assertion("Carrier Y", { kind: "suggestion", authority: chat }),
      assertion("Carrier X", { kind: "suggestion", authority: chat }),
      assertion("Carrier Y", { kind: "suggestion", authority: director }),
    ]);
    expect(events.map((event) => event.status)).toEqual(["refused", "applied", "refused"]);
    mandateStands();
  });

  it("MA-4 a preference, an observation and a lower-weight mandate each wait for an approval; nothing changes meanwhile", () => {
    const events = writeAs(f, [
      assertion("Carrier P", { kind: "preference", authority: { by: "vp", weight: 100 } }),
      assertion("Carrier O", { kind: "observation", authority: { by: "tracking-tool", weight: 100 } }),
      assertion("Carrier M", { kind: "mandate", authority: { by: "planner", weight: 89 } }),
    ]);
    expect(events.map((event) => [event.event, event.status])).toEqual([
      ["UPDATE", "pending-approval"],
      ["UPDATE", "pending-approval"],
      ["UPDATE", "pending-approval"],
    ]);
    mandateStands();
    expect(f.proposals().map((p) => p.status)).toEqual(["pending", "pending", "pending"]);
  });

  it("MA-5 a retraction at a chat's weight waits for an approval; the mandate stays current", () => {
    const [event] = writeAs(f, [retraction({ authority: chat })]);
    expect(event).toMatchObject({ event: "DELETE", status: "pending-approval" });
    mandateStands();
  });

  it("MA-6 many small steps down (weights 89, 88, ... 41) never lower the mandate without an approval", () => {
    for (let weight = 89; weight > 40; weight--) {
      const [event] = writeAs(f, [
        assertion(`Carrier ${weight}`, { authority: { by: `step-${weight}`, weight } }),
      ]);
      expect(event?.status).toBe("pending-approval");
      // Restating the standing value at the lower weight is a NONE: it must not carry the lower weight in.
      const [restated] = writeAs(f, [
        assertion("Carrier X", { authority: { by: `step-${weight}`, weight } }),
      ]);
      expect(restated?.event).toBe("NONE");
    }
    const [last] = writeAs(f, [assertion("Carrier Y", { kind: "suggestion", authority: planner })]);
    expect(last?.status).toBe("refused");
    mandateStands();
  });

  it("MA-7 a suggestion retracted-then-added path: a retraction by a suggestion-level writer cannot open the key for a suggestion", () => {
    const events = writeAs(f, [
      retraction({ authority: { by: "brainstorm", weight: 5 } }),
      assertion("regional couriers", { kind: "suggestion", authority: { by: "brainstorm", weight: 5 } }),
    ]);
    expect(events.map((event) => event.status)).toEqual(["pending-approval", "refused"]);
    mandateStands();
  });
});

describe("memory authority: a second key may not shadow the mandate", () => {
  /** A suggestion on a variant spelling of the mandate's key: refused as malformed, or reconciled against the mandate (and refused). */
  function shadowAttempt(entity: string, attribute = "carrier") {
    let malformed = false;
    try {
      const [event] = writeAs(f, [
        assertion("regional couriers", { entity, attribute, kind: "suggestion", authority: chat }),
      ]);
      expect(event?.status).toBe("refused");
    } catch (error) {
      malformed = true;
      expect(error).toMatchObject({ code: "MEMORY_FACT_INVALID" });
    }
    mandateStands();
    if (malformed) expect(f.memoryAudit()).toEqual(["written"]);
  }

  const spellings: [string, string, string][] = [
    ["surrounding spaces", "  zone B ", " carrier "],
    ["a tab", "zone\tB", "carrier"],
    ["a doubled inner space", "zone  B", "carrier"],
    ["a non-breaking space", "zone\u00a0B", "carrier"],
    ["an ideographic space", "zone\u3000B", "carrier"],
    ["full-width letters", "\uff5a\uff4f\uff4e\uff45 B", "carrier"],
    ["a full-width attribute", "zone B", "\uff43arrier"],
  ];

  it.each(spellings)(
    "MA-8 %s: the variant key does not stand beside the mandate",
    (_label, entity, attribute) => shadowAttempt(entity, attribute),
  );

  const lookalikes: [string, string][] = [
    ["a Cyrillic o", "z\u043ene B"],
    ["a Greek capital beta", "zone \u0392"],
    ["a Cyrillic attribute letter", "zone B"],
    ["a zero-width space", "zone\u200b B"],
    ["a zero-width joiner", "zone\u200dB"],
    ["a right-to-left mark", "zone B\u200f"],
    ["a byte-order mark", "\ufeffzone B"],
    ["a combining mark", "zone B\u0301"],
    ["a C1 control", "zone B\u0085"],
  ];

  it.each(lookalikes)(
    "MA-9 %s: a lookalike entity is refused as malformed or lands on the mandate's key",
    (_label, entity) =>
      shadowAttempt(entity, _label === "a Cyrillic attribute letter" ? "c\u0430rrier" : "carrier"),
  );

  it("MA-10 a current() or history() lookup by a variant spelling finds the mandate, not nothing", () => {
    const found = f.store.current(router, acme, {
      keys: [{ entity: " zone  B ", attribute: "\uff43arrier" }],
    });
    expect(found.map((fact) => fact.value)).toEqual(["Carrier X"]);
    expect(f.store.history(router, acme, { entity: "zone\u00a0B" }).map((fact) => fact.value)).toEqual([
      "Carrier X",
    ]);
  });

  it("MA-11 names in other scripts stay writable: Cyrillic, Greek, Persian with its joiners, accented Latin", () => {
    const names = [
      "\u0437\u043e\u043d\u0430 \u0411",
      "\u03b6\u03ce\u03bd\u03b7",
      "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
      "Z\u00fcrich",
      "Zu\u0308rich-north",
    ];
    const events = writeAs(
      f,
      names.map((entity) => assertion("Carrier X", { entity })),
    );
    expect(events.map((event) => event.event)).toEqual(["ADD", "ADD", "ADD", "ADD", "ADD"]);
    // NFKC composes "u" + combining diaeresis into "ü": it is not a stray mark.
    expect(f.rows().map((row) => row.entity)).toContain("Zürich-north");
  });

  // HOLE (for the lead): keys are case-sensitive. "Zone B" / "CARRIER" is a second key beside
  // the mandate on "zone B" / "carrier", so a chat's suggestion ADDs there and current() gives
  // the model both "Carrier X" (mandate) and "regional couriers" (suggestion) for what any reader
  // takes as one key. The fix is a canonical key (case-folded NFKC) stored beside the spelling
  // shown to the model, used by the one-active unique index and by every key lookup (active,
  // visibleKey, visibleAll's GROUP BY, history): a schema change in fact-table.ts, not a patch.
  const cases: [string, string, string][] = [
    ["the entity's case", "Zone B", "carrier"],
    ["the attribute's case", "zone B", "Carrier"],
    ["upper case everywhere", "ZONE B", "CARRIER"],
  ];
  it.each(cases)(
    "MA-12 %s does not make a second key that shadows the mandate in current() (was a HOLE: keys were compared case-sensitively)",
    (_label, entity, attribute) => shadowAttempt(entity, attribute),
  );
});

describe("memory authority: bad authority claims", () => {
  it("MA-13 an equal-weight mandate from another author replaces it (the rule), and a retraction by it too: both audited", () => {
    const [event] = writeAs(f, [assertion("Carrier Y", { authority: { by: "other-director", weight: 90 } })]);
    expect(event).toMatchObject({ event: "UPDATE", status: "applied" });
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier Y"]);
    expect(f.doubleActive()).toEqual([]);
    expect(f.memoryAudit()).toEqual(["written", "written"]);
  });

  it("MA-14 a weight outside 0..100 or not an integer is refused before anything is written", () => {
    for (const weight of [101, -1, 90.5, Number.NaN, Number.POSITIVE_INFINITY, "100", null]) {
      expect(
        thrown(() => writeAs(f, [assertion("Carrier Y", { authority: { by: "x", weight } })])).code,
      ).toBe("MEMORY_FACT_INVALID");
    }
    mandateStands();
    expect(f.memoryAudit()).toEqual(["written"]);
  });

  it("MA-15 a kind outside the four (spelled in capitals, or 'rule') is refused", () => {
    for (const kind of ["Mandate", "MANDATE", "rule", "", null]) {
      expect(thrown(() => writeAs(f, [assertion("Carrier Y", { kind })])).code).toBe("MEMORY_FACT_INVALID");
    }
    mandateStands();
  });
});

describe("memory authority: who may claim an authority", () => {
  // Was a HOLE: the authority of a write was whatever the writer said, so any principal holding
  // memory:write:<tenant> could sign "ops-director, weight 100" (or its own name at 100) and
  // replace or retract a mandate with no approval. Authority is now granted like a scope:
  // memory:attest:<name>:<n> to relay a person, memory:weight:<n> for one's own word.
  const chatBot = agentPrincipal("chat-bot", ["memory:write:acme"]);

  it("MA-16 a chat agent claiming the director's name is refused (MEMORY_SCOPE_DENIED, audited) and the mandate stands", () => {
    const error = thrown(() =>
      writeAs(
        f,
        [assertion("regional couriers", { authority: { by: "ops-director", weight: 100 } })],
        chatBot,
      ),
    );
    expect(error.code).toBe("MEMORY_SCOPE_DENIED");
    mandateStands();
    expect(f.memoryAudit()).toEqual(["written", "denied"]);
  });

  it("MA-17 a chat agent claiming weight 100 in its own name cannot retract the mandate", () => {
    const error = thrown(() =>
      writeAs(f, [retraction({ authority: { by: "chat-bot", weight: 100 } })], chatBot),
    );
    expect(error.code).toBe("MEMORY_SCOPE_DENIED");
    mandateStands();
  });

  it("MA-18 its own word at its granted weight is written, and against the mandate it waits for an approval", () => {
    const [event] = writeAs(f, [retraction({ authority: { by: "chat-bot", weight: 10 } })], chatBot);
    expect(event).toMatchObject({ event: "DELETE", status: "pending-approval" });
    mandateStands();
  });

  it("MA-19 a relay granted the director up to 60 cannot put 90 behind him, nor speak for anyone else", () => {
    const relay = agentPrincipal("relay", ["memory:write:acme", "memory:attest:ops-director:60"]);
    for (const authority of [
      { by: "ops-director", weight: 90 },
      { by: "cfo", weight: 10 },
      { by: "ops-director:60", weight: 1 },
    ]) {
      expect(thrown(() => writeAs(f, [assertion("Carrier Q", { authority })], relay)).code).toBe(
        "MEMORY_SCOPE_DENIED",
      );
    }
    const [event] = writeAs(
      f,
      [assertion("Carrier Q", { authority: { by: "ops-director", weight: 60 } })],
      relay,
    );
    expect(event).toMatchObject({ status: "pending-approval" });
    mandateStands();
  });

  it("MA-20 one over-claimed write refuses the whole batch: its honest siblings are not written either", () => {
    const error = thrown(() =>
      writeAs(
        f,
        [
          assertion("Carrier Q", { entity: "zone Q", authority: { by: "chat-bot", weight: 5 } }),
          assertion("Carrier X2", { authority: { by: "ops-director", weight: 95 } }),
        ],
        chatBot,
      ),
    );
    expect(error.code).toBe("MEMORY_SCOPE_DENIED");
    expect(f.rows().map((row) => row.entity)).not.toContain("zone Q");
  });
});
