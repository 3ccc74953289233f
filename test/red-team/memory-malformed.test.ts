import type { FactWrite } from "@governor/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acme,
  assertion,
  currentOf,
  type MemoryFixture,
  memoryFixture,
  retraction,
  router,
  source,
  thrown,
  writeAs,
} from "./support/memory-fixture.js";

/**
 * Malformed input, as a careless integration or a hostile model would send it. Each batch
 * holds one bad write after a good one: the whole batch is refused with MEMORY_FACT_INVALID
 * naming the bad write (writes[1]), and nothing is written: no fact, no proposal, no index
 * change, no audit record. The good fact written before the attack is untouched.
 */

let f: MemoryFixture;
beforeEach(() => {
  f = memoryFixture();
  writeAs(f, [assertion("Carrier X")]);
  f.tick();
});
afterEach(() => f.close());

function outbox(): number {
  return (f.db.prepare("SELECT COUNT(*) AS n FROM memory_index_outbox").get() as { n: number }).n;
}

/** A batch of a good write and `bad`: refused whole, naming writes[1], nothing written anywhere. */
function refusedWhole(bad: unknown, label = JSON.stringify(bad)?.slice(0, 80)) {
  const rows = f.rows().length;
  const audit = f.audit.list().length;
  const queued = outbox();
  const error = thrown(() => writeAs(f, [assertion("Carrier Good", { entity: "zone C" }), bad as FactWrite]));
  expect(error.code, label).toBe("MEMORY_FACT_INVALID");
  expect(error.message, label).toContain("writes[1]");
  expect(f.rows(), label).toHaveLength(rows);
  expect(f.audit.list(), label).toHaveLength(audit);
  expect(outbox(), label).toBe(queued);
  expect(f.proposals()).toEqual([]);
  expect(currentOf(f)).toEqual(["zone B.carrier=Carrier X"]);
}

describe("memory malformed input: values", () => {
  const values: [string, unknown][] = [
    ["an object", { carrier: "X" }],
    ["an array", ["X", "Y"]],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["null", null],
    ["undefined", undefined],
    ["a bigint", 10n],
    ["a Date", new Date("2026-03-01T00:00:00Z")],
    ["a function", () => "X"],
    ["an empty string", ""],
    ["a whitespace-only string", "   \t\n "],
    ["a huge string", "x".repeat(1_000_000)],
    ["a string just over the limit", "x".repeat(2001)],
  ];

  it.each(values)("MF-1 %s as a value is refused whole", (_label, value) => {
    refusedWhole(assertion(value), _label);
  });

  it("MF-2 a value at the limit (2000 characters) and the numbers 0, -0 and false are facts", () => {
    const events = writeAs(f, [
      assertion("x".repeat(2000), { entity: "a" }),
      assertion(0, { entity: "b" }),
      assertion(false, { entity: "c" }),
    ]);
    expect(events.map((event) => event.event)).toEqual(["ADD", "ADD", "ADD"]);
  });
});

describe("memory malformed input: shape", () => {
  it("MF-3 unknown fields anywhere (write, scope, authority, source) are refused whole", () => {
    refusedWhole({ ...assertion("Y"), status: "active" });
    refusedWhole({ ...assertion("Y"), supersededBy: "fact_1" });
    refusedWhole(assertion("Y", { scope: { ...acme, org: "x" } }));
    refusedWhole(assertion("Y", { authority: { by: "ops-director", weight: 90, verified: true } }));
    refusedWhole(assertion("Y", { source: { ...source, url: "https://evil" } }));
    refusedWhole({ ...retraction(), value: "Carrier X" });
  });

  it("MF-4 missing source, authority, kind, scope, entity or attribute is refused whole", () => {
    for (const field of ["source", "authority", "kind", "scope", "entity", "attribute", "value"] as const) {
      const write: Record<string, unknown> = { ...assertion("Y") };
      delete write[field];
      refusedWhole(write, `without ${field}`);
    }
    for (const field of ["source", "authority", "scope"] as const) {
      const write: Record<string, unknown> = { ...retraction() };
      delete write[field];
      refusedWhole(write, `retraction without ${field}`);
    }
  });

  it("MF-5 an unknown op, a source of an unknown type and an authority without a name are refused whole", () => {
    refusedWhole({ ...assertion("Y"), op: "delete" });
    refusedWhole({ ...assertion("Y"), op: "update" });
    refusedWhole(assertion("Y", { source: { type: "rumour" } }));
    refusedWhole(assertion("Y", { source: { type: "message", threadId: "" } }));
    refusedWhole(assertion("Y", { authority: { by: "", weight: 50 } }));
    refusedWhole(assertion("Y", { authority: { by: "  ", weight: 50 } }));
    refusedWhole(assertion("Y", { authority: { weight: 50 } }));
  });

  it("MF-6 weights out of range are refused whole", () => {
    for (const weight of [-1, 101, 1e9, 0.5, Number.NaN, "90", null, undefined]) {
      refusedWhole(assertion("Y", { authority: { by: "x", weight } }), `weight ${String(weight)}`);
    }
  });

  it("MF-7 non-writes in the batch (null, a string, a number, an array) are refused whole", () => {
    for (const bad of [null, undefined, "assert zone B", 42, [assertion("Y")], true]) {
      refusedWhole(bad, String(bad));
    }
  });

  it("MF-8 an empty batch, or not an array at all, is refused and writes nothing", () => {
    for (const batch of [[], undefined, null, {}, assertion("Y"), "[]"] as unknown[]) {
      const error = thrown(() => f.store.writeNow({ principal: router }, batch as FactWrite[]));
      expect(error.code).toBe("MEMORY_FACT_INVALID");
    }
    expect(f.rows()).toHaveLength(1);
    expect(f.audit.list()).toHaveLength(1);
  });
});

describe("memory malformed input: names", () => {
  it("MF-9 __proto__ as entity, attribute, tenant, user, agent or author is refused whole, and nothing is polluted", () => {
    refusedWhole(assertion("Y", { entity: "__proto__" }));
    refusedWhole(assertion("Y", { attribute: "__proto__" }));
    refusedWhole(assertion("Y", { entity: " __proto__ " }));
    refusedWhole(assertion("Y", { scope: { tenant: "__proto__" } }));
    refusedWhole(assertion("Y", { scope: { tenant: "acme", user: "__proto__" } }));
    refusedWhole(assertion("Y", { scope: { tenant: "acme", agent: "__proto__" } }));
    refusedWhole(assertion("Y", { authority: { by: "__proto__", weight: 50 } }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("MF-10 a write parsed from JSON with an own __proto__ key is refused, and Object.prototype is untouched", () => {
    const polluting = JSON.parse(
      `{"scope":{"tenant":"acme","__proto__":{"polluted":"yes"}},"entity":"zone B","attribute":"carrier","value":"Y","kind":"mandate","authority":{"by":"ops-director","weight":90},"source":{"type":"manual"}}`,
    );
    refusedWhole(polluting);
    const polluting2 = JSON.parse(
      `{"__proto__":{"polluted":"yes"},"scope":{"tenant":"acme"},"entity":"zone B","attribute":"carrier","value":"Y","kind":"mandate","authority":{"by":"ops-director","weight":90},"source":{"type":"manual"}}`,
    );
    refusedWhole(polluting2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("MF-11 names with control characters, or longer than 200 characters, are refused whole", () => {
    refusedWhole(assertion("Y", { entity: "zone\u0000B" }));
    refusedWhole(assertion("Y", { attribute: "carrier\u001b[31m" }));
    refusedWhole(assertion("Y", { entity: "z".repeat(201) }));
    refusedWhole(assertion("Y", { entity: "\u200b" }));
  });

  it("MF-12 a retraction with a validFrom that is not a time, or a kind, is refused whole", () => {
    refusedWhole(retraction({ validFrom: "tomorrow" }));
    refusedWhole({ ...retraction(), kind: "mandate" });
  });
});
