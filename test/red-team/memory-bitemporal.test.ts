import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acme,
  assertion,
  type MemoryFixture,
  memoryFixture,
  retraction,
  router,
  thrown,
  writeAs,
} from "./support/memory-fixture.js";

/**
 * Two clocks under attack: as-of times that are malformed, in the future or before anything
 * was recorded; facts dated far in the future or past; late corrections earlier than the fact
 * they correct, two in a row; and as-of times exactly on a record's boundaries. Whatever the
 * times, `asOf` never shows a fact recorded after `knownAt`, and never two values for one key.
 */

let f: MemoryFixture;
beforeEach(() => {
  f = memoryFixture();
});
afterEach(() => f.close());

const at = (iso: string) => new Date(iso);
const values = (validAt: string | Date, knownAt: string | Date) =>
  f.store.asOf(router, acme, { validAt, knownAt }).map((fact) => String(fact.value));

/** Mandate X true from Feb 1 (recorded Mar 1 09:00); corrected on Mar 10 to Y from Mar 1. */
function corrected() {
  f.clock = at("2026-03-01T09:00:00.000Z");
  writeAs(f, [assertion("Carrier X", { validFrom: "2026-02-01T00:00:00.000Z" })]);
  f.clock = at("2026-03-10T00:00:00.000Z");
  writeAs(f, [assertion("Carrier Y", { validFrom: "2026-03-01T00:00:00.000Z" })]);
}

describe("memory as-of: bad times are refused with a typed error", () => {
  it("MT-1 malformed as-of strings and dates", () => {
    corrected();
    for (const bad of [
      "yesterday",
      "",
      " ",
      "now",
      "2026-13-01",
      "2026-02-30T00:00:00Z",
      "2026-03-01Tgarbage",
      "NaN",
    ]) {
      expect(thrown(() => f.store.asOf(router, acme, { knownAt: bad })).code, bad).toBe(
        "MEMORY_AS_OF_INVALID",
      );
      expect(thrown(() => f.store.asOf(router, acme, { validAt: bad })).code, bad).toBe(
        "MEMORY_AS_OF_INVALID",
      );
    }
    for (const bad of [new Date(Number.NaN), new Date("yesterday")]) {
      expect(thrown(() => f.store.asOf(router, acme, { knownAt: bad })).code).toBe("MEMORY_AS_OF_INVALID");
      expect(thrown(() => f.store.asOf(router, acme, { validAt: bad })).code).toBe("MEMORY_AS_OF_INVALID");
    }
  });

  it("MT-2 non-time values smuggled past the types (a number, an object, an array) are refused", () => {
    corrected();
    for (const bad of [0, 1_700_000_000_000, {}, [], true] as unknown[]) {
      const error = thrown(() => f.store.asOf(router, acme, { knownAt: bad as string }));
      expect(error.code).toBe("MEMORY_AS_OF_INVALID");
    }
  });

  it("MT-3 an as-of in the future (either clock) is refused", () => {
    corrected();
    expect(thrown(() => values("2026-03-09T00:00:00.000Z", "2026-03-11T00:00:00.000Z")).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
    expect(thrown(() => values("2027-01-01T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
    expect(thrown(() => f.store.asOf(router, acme, { knownAt: "9999-12-31T23:59:59.999Z" })).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
  });

  it("MT-4 an as-of before any record, and in a partition with no record at all, is refused", () => {
    corrected();
    expect(thrown(() => values("2026-02-15T00:00:00.000Z", "2026-03-01T08:59:59.999Z")).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
    expect(thrown(() => values("2026-01-31T23:59:59.999Z", "2026-03-10T00:00:00.000Z")).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
    expect(thrown(() => f.store.asOf(router, { tenant: "acme", thread: "empty" }, {})).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
  });

  it("MT-5 current() at an invalid time is a typed refusal, not a RangeError", () => {
    corrected();
    expect(thrown(() => f.store.current(router, acme, { at: new Date(Number.NaN) })).code).toBe(
      "MEMORY_AS_OF_INVALID",
    );
  });
});

describe("memory as-of: what was known is never rewritten", () => {
  it("MT-6 the late correction: what was true then, and what was believed then", () => {
    corrected();
    expect(values("2026-03-05T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).toEqual(["Carrier Y"]);
    expect(values("2026-02-15T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).toEqual(["Carrier X"]);
    // Before the correction was recorded, Governor believed X for March 5.
    expect(values("2026-03-05T00:00:00.000Z", "2026-03-09T23:59:59.999Z")).toEqual(["Carrier X"]);
  });

  it("MT-7 knownAt exactly on a recordedAt: the record is known; one millisecond before: it is not", () => {
    corrected();
    expect(values("2026-03-05T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).toEqual(["Carrier Y"]);
    expect(values("2026-03-05T00:00:00.000Z", "2026-03-09T23:59:59.999Z")).toEqual(["Carrier X"]);
    expect(values("2026-02-15T00:00:00.000Z", "2026-03-01T09:00:00.000Z")).toEqual(["Carrier X"]);
  });

  it("MT-8 a correction earlier than the original validFrom replaces it over the whole span, and history keeps both", () => {
    f.clock = at("2026-03-01T09:00:00.000Z");
    writeAs(f, [assertion("Carrier X", { validFrom: "2026-02-01T00:00:00.000Z" })]);
    f.clock = at("2026-03-10T00:00:00.000Z");
    writeAs(f, [assertion("Carrier Y", { validFrom: "2026-01-01T00:00:00.000Z" })]);
    expect(values("2026-01-15T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).toEqual(["Carrier Y"]);
    expect(values("2026-02-15T00:00:00.000Z", "2026-03-10T00:00:00.000Z")).toEqual(["Carrier Y"]);
    // What was believed before the correction is untouched.
    expect(values("2026-02-15T00:00:00.000Z", "2026-03-05T00:00:00.000Z")).toEqual(["Carrier X"]);
    expect(values("2026-01-15T00:00:00.000Z", "2026-03-05T00:00:00.000Z")).toEqual([]);
    expect(f.store.history(router, acme).map((r) => [r.value, r.status])).toEqual([
      ["Carrier X", "superseded"],
      ["Carrier Y", "active"],
    ]);
  });

  it("MT-9 two corrections in a row: each as-of sees exactly one value, the one believed then", () => {
    corrected();
    f.clock = at("2026-03-12T00:00:00.000Z");
    writeAs(f, [assertion("Carrier Z", { validFrom: "2026-02-15T00:00:00.000Z" })]);
    const cases: [string, string, string[]][] = [
      ["2026-02-10T00:00:00.000Z", "2026-03-12T00:00:00.000Z", ["Carrier X"]],
      ["2026-02-20T00:00:00.000Z", "2026-03-12T00:00:00.000Z", ["Carrier Z"]],
      ["2026-03-05T00:00:00.000Z", "2026-03-12T00:00:00.000Z", ["Carrier Z"]],
      ["2026-03-05T00:00:00.000Z", "2026-03-11T00:00:00.000Z", ["Carrier Y"]],
      ["2026-02-20T00:00:00.000Z", "2026-03-11T00:00:00.000Z", ["Carrier X"]],
      ["2026-02-20T00:00:00.000Z", "2026-03-05T00:00:00.000Z", ["Carrier X"]],
    ];
    for (const [validAt, knownAt, expected] of cases) {
      expect(values(validAt, knownAt), `valid ${validAt} known ${knownAt}`).toEqual(expected);
    }
  });

  it("MT-10 a fact dated far in the future does not become current now, and the old one still answers", () => {
    f.clock = at("2026-03-01T09:00:00.000Z");
    writeAs(f, [assertion("Carrier X")]);
    f.tick();
    writeAs(f, [assertion("Carrier Future", { validFrom: "2999-01-01T00:00:00.000Z" })]);
    f.tick();
    const now = f.store.current(router, acme);
    expect(now.map((fact) => fact.value)).toEqual(["Carrier X"]);
    expect(values(f.clock, f.clock)).toEqual(["Carrier X"]);
  });

  it("MT-11 a fact dated far in the past (year 0001) is a correction over all time, never two values", () => {
    f.clock = at("2026-03-01T09:00:00.000Z");
    writeAs(f, [assertion("Carrier X")]);
    f.tick();
    writeAs(f, [assertion("Carrier Old", { validFrom: "0001-01-01T00:00:00.000Z" })]);
    f.tick();
    expect(values(f.clock, f.clock)).toEqual(["Carrier Old"]);
    expect(values("1999-01-01T00:00:00.000Z", f.clock)).toEqual(["Carrier Old"]);
    expect(f.doubleActive()).toEqual([]);
  });

  it("MT-12 over a dense sweep of both clocks, no as-of ever shows a record recorded after knownAt, nor two values", () => {
    f.clock = at("2026-03-01T00:00:00.000Z");
    const script: [number, () => void][] = [
      [0, () => writeAs(f, [assertion("A", { validFrom: "2026-02-01T00:00:00.000Z" })])],
      [60, () => writeAs(f, [assertion("B", { validFrom: "2026-02-20T00:00:00.000Z" })])],
      [120, () => writeAs(f, [retraction({ validFrom: "2026-02-25T00:00:00.000Z" })])],
      [180, () => writeAs(f, [assertion("C", { validFrom: "2026-01-15T00:00:00.000Z" })])],
      [240, () => writeAs(f, [assertion("D", { validFrom: "2026-03-01T05:00:00.000Z" })])],
    ];
    for (const [minutes, write] of script) {
      f.clock = new Date(at("2026-03-01T00:00:00.000Z").getTime() + minutes * 60_000);
      write();
    }
    f.tick(60);
    const recorded = f.rows().map((row) => ({ value: JSON.parse(row.value) as string, at: row.recorded_at }));
    for (let known = 0; known <= 300; known += 7) {
      const knownAt = new Date(at("2026-03-01T00:00:00.000Z").getTime() + known * 60_000);
      for (let day = 15; day <= 60; day += 3) {
        const validAt = new Date(at("2026-01-01T00:00:00.000Z").getTime() + day * 86_400_000);
        if (validAt > knownAt) continue;
        let seen: string[];
        try {
          seen = f.store.asOf(router, acme, { validAt, knownAt }).map((fact) => String(fact.value));
        } catch (error) {
          expect(error).toMatchObject({ code: "MEMORY_AS_OF_INVALID" });
          continue;
        }
        expect(seen.length).toBeLessThanOrEqual(1);
        for (const value of seen) {
          const when = recorded.find((row) => row.value === value)?.at ?? "";
          expect(
            when <= knownAt.toISOString(),
            `${value} recorded ${when} > known ${knownAt.toISOString()}`,
          ).toBe(true);
        }
      }
    }
  });

  it("MT-13 a validFrom that is not an ISO date-time is refused at write time, nothing written", () => {
    for (const validFrom of [
      "yesterday",
      "",
      "2026-03-01",
      "2026-02-30T00:00:00Z",
      "+275760-09-13T00:00:00Z",
      0,
    ]) {
      expect(thrown(() => writeAs(f, [assertion("Carrier X", { validFrom })])).code, String(validFrom)).toBe(
        "MEMORY_FACT_INVALID",
      );
    }
    expect(f.rows()).toEqual([]);
    expect(f.audit.list()).toEqual([]);
  });
});
