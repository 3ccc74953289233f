import { describe, expect, it } from "vitest";
import { contextProblem, describeValue, isPlainRecord, resourceProblem } from "./policy-facts.js";

describe("policy facts", () => {
  it("accepts plain records of plain data, including null-prototype records and nested arrays", () => {
    const bare = Object.assign(Object.create(null), { flown: false });
    expect(isPlainRecord(bare)).toBe(true);
    expect(contextProblem({ flown: false, legs: [{ from: "LHR", to: "JFK" }], note: null })).toBeUndefined();
    expect(contextProblem(bare)).toBeUndefined();
  });

  it("refuses anything a policy would read as an empty record, naming where and what", () => {
    class Account {
      vip = true;
    }
    expect(contextProblem(Promise.resolve({}))).toMatch(/got a Promise/);
    expect(contextProblem(new Map())).toMatch(/got an instance of Map/);
    expect(contextProblem([])).toMatch(/got an array/);
    expect(contextProblem(new Account())).toMatch(/got an instance of Account/);
    expect(contextProblem({ account: { since: new Date(0) } })).toMatch(/^context\.account\.since .*Date/);
    expect(contextProblem({ legs: [{ flown: Promise.resolve(true) }] })).toMatch(
      /^context\.legs\[0\]\.flown .*Promise/,
    );
    expect(contextProblem({ check: () => true })).toMatch(/context\.check is a function/);
  });

  it("refuses a context that refers back to itself instead of walking it forever", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(contextProblem(loop)).toMatch(/context\.self refers back to itself/);
    const shared = { a: 1 };
    expect(contextProblem({ x: shared, y: shared })).toBeUndefined();
  });

  it("checks a resource is { type, id } strings, own properties only", () => {
    expect(resourceProblem(undefined)).toBeUndefined();
    expect(resourceProblem({ type: "Order", id: "A-1" })).toBeUndefined();
    expect(resourceProblem({ type: "Order" })).toMatch(
      /resource\.id must be a non-empty string, got undefined/,
    );
    const inherited = Object.create({ type: "Order", id: "A-1" });
    expect(resourceProblem(inherited)).toMatch(/got an object that is not a plain record|an instance/);
    expect(describeValue(null)).toBe("null");
  });
});
