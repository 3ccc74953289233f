import { describe, expect, it } from "vitest";
import { CedarValueError, toCedarRecord, toCedarValue } from "./cedar-value.js";

describe("toCedarValue", () => {
  it("keeps integers, strings and booleans, and turns arrays and sets into Cedar sets", () => {
    expect(
      toCedarRecord(
        { amount: 120, note: "lamp", flagged: false, tags: ["a"], ids: new Set([1, 2]) },
        "context",
      ),
    ).toEqual({
      amount: 120,
      note: "lamp",
      flagged: false,
      tags: ["a"],
      ids: [1, 2],
    });
  });

  it("leaves absent values out, so optional attributes stay absent", () => {
    expect(
      toCedarRecord({ flagReason: undefined, owner: null, nested: { a: undefined, b: 1 } }, "context"),
    ).toEqual({
      nested: { b: 1 },
    });
  });

  it("passes a Date as its ISO string, for a datetime attribute", () => {
    expect(toCedarValue(new Date("2025-06-01T12:00:00Z"), "context.at")).toBe("2025-06-01T12:00:00.000Z");
  });

  it("refuses what Cedar cannot hold exactly, naming where it is", () => {
    const long = { kind: "Long" } as const;
    expect(() => toCedarValue(19.99, "context.args.amount", long)).toThrow(
      /^context\.args\.amount is 19\.99, but the policy schema declares it Long/,
    );
    expect(() => toCedarValue({ args: { amount: 0.1 + 0.2 } }, "context")).toThrow(
      /^context\.args\.amount is 0\.30000000000000004: a Cedar decimal has at most 4 decimal places/,
    );
    expect(() => toCedarValue(1e-7, "context.x")).toThrow(
      /context\.x is 1e-7, which a Cedar decimal cannot hold exactly/,
    );
    expect(() => toCedarValue(922337203685477.6, "context.x")).toThrow(/beyond the range of a Cedar decimal/);
    expect(() => toCedarValue(Number.MAX_SAFE_INTEGER + 2, "context.n")).toThrow(CedarValueError);
    expect(() => toCedarValue([1, undefined], "context.list")).toThrow(/context\.list\[1\] is undefined/);
    expect(() => toCedarValue(new Map(), "context.m")).toThrow(/context\.m is a Map/);
    expect(() => toCedarValue(() => 1, "context.f")).toThrow(/context\.f is a function/);
  });

  it("turns fractions into exact Cedar decimals, and numbers declared decimal too", () => {
    const decimal = { kind: "Extension", name: "decimal" } as const;
    expect(toCedarValue(12.5, "a")).toEqual({ __extn: { fn: "decimal", arg: "12.5" } });
    expect(toCedarValue(600, "a", decimal)).toEqual({ __extn: { fn: "decimal", arg: "600.0" } });
    expect(toCedarValue(-0.0001, "a", decimal)).toEqual({ __extn: { fn: "decimal", arg: "-0.0001" } });
    expect(toCedarValue(600, "a")).toBe(600);
    expect(toCedarValue("12.50", "a", decimal)).toEqual({ __extn: { fn: "decimal", arg: "12.50" } });
  });

  it("refuses a list a Cedar set would shrink, naming both positions", () => {
    const payment = { to: "ACME", amount: 12.5 };
    expect(() => toCedarValue([payment, { ...payment }], "context.args.payments")).toThrow(
      /^context\.args\.payments\[1\] equals context\.args\.payments\[0\]: Cedar would pass this list as a set/,
    );
    expect(() =>
      toCedarValue(
        [
          [1, 2],
          [2, 1],
        ],
        "context.x",
      ),
    ).toThrow(/context\.x\[1\] equals context\.x\[0\]/);
    expect(toCedarValue([payment, { ...payment, amount: 12.51 }], "context.args.payments")).toHaveLength(2);
  });

  it("refuses keys Cedar's JSON reads as escapes, so data cannot pose as an extension or entity", () => {
    expect(() => toCedarValue({ __extn: { fn: "decimal", arg: "1.0" } }, "context.args.amount")).toThrow(
      /context\.args\.amount\.__extn is a key Cedar reserves/,
    );
    expect(() =>
      toCedarValue({ owner: { __entity: { type: "Governor::Agent", id: "root" } } }, "context"),
    ).toThrow(/context\.owner\.__entity/);
  });
});
