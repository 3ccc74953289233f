import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, OFFLINE_SCENARIO_PRICES, priceOf } from "./pricing.js";

describe("costOf", () => {
  it("prices input and output tokens per million", () => {
    expect(costOf("gpt-4o-mini", { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(0.15, 10);
    expect(costOf("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 })).toBeCloseTo(0.00036, 10);
  });

  it("prices a dated snapshot as its model, and picks the longest matching name", () => {
    expect(priceOf("gpt-4o-mini-2024-07-18")).toBe(DEFAULT_PRICES["gpt-4o-mini"]);
    expect(priceOf("gpt-4o-2024-08-06")).toBe(DEFAULT_PRICES["gpt-4o"]);
  });

  it("gives the offline scenario models a nonzero price, so cost budgets work offline", () => {
    expect(costOf("scenario:refund", { inputTokens: 100, outputTokens: 100 })).toBeGreaterThan(0);
  });

  it("prices the scenario models at zero in the offline table, merged over the defaults", () => {
    const table = { ...DEFAULT_PRICES, ...OFFLINE_SCENARIO_PRICES };
    expect(costOf("scenario:refund", { inputTokens: 1_000, outputTokens: 1_000 }, table)).toBe(0);
    expect(costOf("scenario:desk-strong", { inputTokens: 1, outputTokens: 1 }, table)).toBe(0);
    // Only the scripted models: a real model keeps its price, an unknown one stays unpriced.
    expect(costOf("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 }, table)).toBeCloseTo(0.00036, 10);
    expect(costOf("in-house-llm", { inputTokens: 10, outputTokens: 10 }, table)).toBeUndefined();
  });

  it("returns undefined for a model it cannot price rather than calling it free", () => {
    expect(costOf("in-house-llm", { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
    expect(priceOf("gpt-4o-audio-preview")).toBeUndefined();
  });

  it("reads a caller's own table", () => {
    const table = { "acme-*": { inputPerMTok: 2, outputPerMTok: 2 } };
    expect(costOf("acme-large", { inputTokens: 500_000, outputTokens: 500_000 }, table)).toBe(2);
  });
});
