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
    expect(() => toCedarValue({ args: { amount: 19.99 } }, "context")).toThrow(
      /^context\.args\.amount is 19\.99, not a whole number/,
    );
    expect(() => toCedarValue(Number.MAX_SAFE_INTEGER + 2, "context.n")).toThrow(CedarValueError);
    expect(() => toCedarValue([1, undefined], "context.list")).toThrow(/context\.list\[1\] is undefined/);
    expect(() => toCedarValue(new Map(), "context.m")).toThrow(/context\.m is a Map/);
    expect(() => toCedarValue(() => 1, "context.f")).toThrow(/context\.f is a function/);
  });
});
