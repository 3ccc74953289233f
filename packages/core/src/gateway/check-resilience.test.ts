import { GovernorError } from "@governor/errors";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, type ToolDefinition } from "../tools/define-tool.js";
import { resilienceOf } from "./resilience.js";

const base = {
  name: "charge",
  description: "Charge a card",
  input: z.object({ amount: z.number() }),
  scopes: [],
  risk: "write",
  handler: () => ({ ok: true }),
} satisfies ToolDefinition;

function refusal(declared: Partial<ToolDefinition>): GovernorError {
  try {
    defineTool({ ...base, ...declared } as ToolDefinition);
  } catch (error) {
    return error as GovernorError;
  }
  throw new Error("expected defineTool to refuse the declaration");
}

describe("defineTool resilience settings", () => {
  it.each([
    ["a zero timeout", { timeoutMs: 0 }, "timeoutMs"],
    ["a fractional attempt count", { retry: { maxAttempts: 1.5 } }, "retry.maxAttempts"],
    ["a breaker that never opens", { circuitBreaker: { threshold: 0 } }, "circuitBreaker.threshold"],
    ["a rate limit of zero calls", { rateLimit: { limit: 0, intervalMs: 1_000 } }, "rateLimit.limit"],
    ["a rate limit with no window", { rateLimit: { limit: 5 } as never }, "rateLimit.intervalMs"],
    ["a fractional window", { rateLimit: { limit: 5, intervalMs: 0.5 } }, "rateLimit.intervalMs"],
    ["a rate limit that is not an object", { rateLimit: 5 as never }, "rateLimit"],
    ["a fallback to itself", { fallback: { tool: "charge" } }, "itself"],
    ["a fallback that is both", { fallback: { tool: "other", escalate: true } as never }, "fallback"],
  ])("refuses %s with CONFIG_INVALID naming the setting", (_case, declared, setting) => {
    const error = refusal(declared);

    expect(error).toBeInstanceOf(GovernorError);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("charge");
    expect(error.message).toContain(setting);
  });

  it("applies defaults: a 10 s timeout, one try, a breaker", () => {
    const settings = resilienceOf(defineTool(base));

    expect(settings).toMatchObject({ timeoutMs: 10_000, maxAttempts: 1 });
    expect(settings.breaker).toEqual({ threshold: 5, halfOpenAfterMs: 30_000 });
  });

  it("honours retry only for idempotent tools, and turns the breaker off on request", () => {
    const retry = { maxAttempts: 4 };

    expect(resilienceOf(defineTool({ ...base, retry })).maxAttempts).toBe(1);
    expect(resilienceOf(defineTool({ ...base, retry, idempotent: true })).maxAttempts).toBe(4);
    expect(resilienceOf(defineTool({ ...base, circuitBreaker: false })).breaker).toBeUndefined();
  });

  it("has no rate limit unless one is declared", () => {
    const rateLimit = { limit: 5, intervalMs: 1_000 };

    expect(resilienceOf(defineTool(base)).rateLimit).toBeUndefined();
    expect(resilienceOf(defineTool({ ...base, rateLimit })).rateLimit).toEqual(rateLimit);
  });
});
