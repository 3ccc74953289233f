import { GovernorError } from "@governor/errors";
import { extractCandidates, matchCandidates, remember } from "@governor/memory";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { authorityOf, mandate, scope, scriptedModel, storeFixture, writer } from "./fixture.js";

const now = { at: new Date("2026-03-10T09:00:00.000Z") };
const director = (content: string) => new HumanMessage({ id: "m0", name: "ops-director", content });

const says = (entity: string, attribute: string, value: string, quote: string) => ({
  facts: [{ op: "assert", message: 0, entity, attribute, value, kind: "mandate", quote }],
});

async function withZoneB() {
  const fixture = storeFixture(now);
  await fixture.store.write({ principal: writer }, [
    mandate("Zone B", "carrier", "Carrier X"),
    mandate("Zone C", "delivery window", "9-17"),
  ]);
  return fixture;
}

describe("matching candidates to existing keys", () => {
  it("maps an ambiguous key to the existing one with the model, so it is an UPDATE and not a second key", async () => {
    const { store } = await withZoneB();
    const message = director("Zone B's shipping carrier is now Carrier Y.");
    const answer = says("zone b", "shipping carrier", "Carrier Y", "shipping carrier is now Carrier Y");
    const { model, calls } = scriptedModel(answer, {
      matches: [{ candidate: "C1", existing: "E1", operation: "UPDATE" }],
    });

    const candidates = await extractCandidates(model, { messages: [message] }, { scope, authorityOf });
    expect(candidates.map((c) => [c.entity, c.attribute])).toEqual([["zone b", "shipping carrier"]]);
    const events = await remember(store, model, {
      principal: writer,
      scope,
      messages: [message],
      authorityOf,
    });

    expect(events).toMatchObject([
      { event: "UPDATE", status: "applied", key: { entity: "Zone B", attribute: "carrier" } },
    ]);
    expect(calls.matching).toBe(1);
    expect(
      store
        .current(writer, scope)
        .filter((f) => f.entity === "Zone B")
        .map((f) => [f.attribute, f.value]),
    ).toEqual([["carrier", "Carrier Y"]]);
  });

  it("settles a key equal but for case and spacing without asking the model", async () => {
    const { store } = await withZoneB();
    const message = director("ZONE  B carrier: Carrier Y from today.");
    const { model, calls } = scriptedModel(says("zone  b", "Carrier", "Carrier Y", "Carrier: Carrier Y"));
    const events = await remember(store, model, {
      principal: writer,
      scope,
      messages: [message],
      authorityOf,
    });
    expect(events).toMatchObject([{ event: "UPDATE", key: { entity: "Zone B", attribute: "carrier" } }]);
    expect(calls).toEqual({ extraction: 1, matching: 0 });
  });

  it("keeps a key near nothing as new without asking the model (Zone D is not Zone B)", async () => {
    const { store } = await withZoneB();
    const message = director("Zone D carrier is Carrier W.");
    const { model, calls } = scriptedModel(
      says("Zone D", "carrier", "Carrier W", "Zone D carrier is Carrier W"),
    );
    const events = await remember(store, model, {
      principal: writer,
      scope,
      messages: [message],
      authorityOf,
    });
    expect(events).toMatchObject([{ event: "ADD", key: { entity: "Zone D", attribute: "carrier" } }]);
    expect(calls.matching).toBe(0);
    expect(store.current(writer, scope)).toHaveLength(3);
  });

  it("leaves the candidate under its own key when the model says it matches nothing", async () => {
    const { store } = await withZoneB();
    const facts = [
      { entity: "Zone B", attribute: "carrier", value: "Carrier X" },
      { entity: "Zone B", attribute: "backup carrier", value: "Carrier Q" },
    ];
    const existing = store.current(writer, scope);
    const candidate = { ...mandate("Zone B", "backup carrier", "Carrier Q") };
    const { model } = scriptedModel(undefined, {
      matches: [{ candidate: "C1", existing: null, operation: "ADD" }],
    });
    const result = await matchCandidates(model, [candidate], existing);
    expect(result.asked).toBe(1);
    expect(result.writes).toEqual([candidate]);
    expect(result.matches[0]).toMatchObject({ method: "model", believed: "ADD" });
    await store.write({ principal: writer }, result.writes);
    expect(
      store
        .current(writer, scope)
        .filter((f) => f.entity === "Zone B")
        .map((f) => ({ entity: f.entity, attribute: f.attribute, value: f.value })),
    ).toEqual(expect.arrayContaining(facts));
  });

  const matchingAnswers: [string, unknown, string][] = [
    [
      "an existing id that does not exist",
      { matches: [{ candidate: "C1", existing: "E9", operation: "UPDATE" }] },
      '"E9" is not an existing fact',
    ],
    [
      "an existing fact not offered for that candidate",
      {
        matches: [
          { candidate: "C1", existing: "E2", operation: "UPDATE" },
          { candidate: "C2", existing: "E2", operation: "UPDATE" },
        ],
      },
      "E2 was not offered for C1",
    ],
    [
      "a candidate that was never asked about",
      {
        matches: [
          { candidate: "C1", existing: "E1", operation: "UPDATE" },
          { candidate: "C2", existing: "E2", operation: "UPDATE" },
          { candidate: "C3", existing: null, operation: "ADD" },
        ],
      },
      '"C3" is not a candidate',
    ],
    [
      "a candidate left out",
      { matches: [{ candidate: "C1", existing: "E1", operation: "UPDATE" }] },
      "C2 was not answered",
    ],
    [
      "a candidate answered twice",
      {
        matches: [
          { candidate: "C1", existing: "E1", operation: "UPDATE" },
          { candidate: "C1", existing: null, operation: "ADD" },
          { candidate: "C2", existing: "E2", operation: "UPDATE" },
        ],
      },
      "C1 is answered more than once",
    ],
    [
      "an ADD onto an existing key",
      {
        matches: [
          { candidate: "C1", existing: "E1", operation: "ADD" },
          { candidate: "C2", existing: "E2", operation: "UPDATE" },
        ],
      },
      "matches.0.operation",
    ],
    [
      "an operation that does not exist",
      {
        matches: [
          { candidate: "C1", existing: "E1", operation: "MERGE" },
          { candidate: "C2", existing: "E2", operation: "UPDATE" },
        ],
      },
      "matches.0.operation",
    ],
    ["prose", "C1 is E1 and C2 is E2", "not JSON"],
  ];

  it.each(matchingAnswers)(
    "refuses a matching answer with %s and writes nothing",
    async (_name, answer, expected) => {
      const { store, audit } = await withZoneB();
      const before = { history: store.history(writer, scope), audit: audit.list().length };
      const messages = [
        director("Zone B's shipping carrier is now Carrier Y, and the Zone C delivery time window is 8-16."),
      ];
      const extraction = {
        facts: [
          {
            ...says("zone b", "shipping carrier", "Carrier Y", "shipping carrier is now Carrier Y").facts[0],
          },
          {
            ...says("Zone C", "delivery time window", "8-16", "Zone C delivery time window is 8-16").facts[0],
          },
        ],
      };
      const { model, calls } = scriptedModel(extraction, answer);
      const error = await remember(store, model, { principal: writer, scope, messages, authorityOf }).catch(
        (e: unknown) => e,
      );
      expect(calls.matching).toBe(1);
      expect(error).toBeInstanceOf(GovernorError);
      expect(error).toMatchObject({ code: "MEMORY_EXTRACTION_INVALID" });
      expect((error as Error).message).toContain(expected);
      expect(store.history(writer, scope)).toEqual(before.history);
      expect(audit.list().length).toBe(before.audit);
    },
  );
});

describe("one batch, one key", () => {
  it("writes two new candidates spelled differently under one key, the second updating the first", async () => {
    const { store } = storeFixture(now);
    const messages = [
      new HumanMessage({ id: "m0", name: "ops-director", content: "Zone E carrier is Carrier A." }),
      new HumanMessage({
        id: "m1",
        name: "ops-director",
        content: "Correction: zone e carrier is Carrier B.",
      }),
    ];
    const answer = {
      facts: [
        { ...says("Zone E", "carrier", "Carrier A", "Zone E carrier is Carrier A").facts[0] },
        { ...says("zone e", "Carrier", "Carrier B", "zone e carrier is Carrier B").facts[0], message: 1 },
      ],
    };
    const { model, calls } = scriptedModel(answer);
    const events = await remember(store, model, { principal: writer, scope, messages, authorityOf });
    expect(events.map((e) => [e.event, e.key.entity, e.key.attribute])).toEqual([
      ["ADD", "Zone E", "carrier"],
      ["UPDATE", "Zone E", "carrier"],
    ]);
    expect(calls.matching).toBe(0);
    expect(store.current(writer, scope).map((f) => f.value)).toEqual(["Carrier B"]);
  });
});
