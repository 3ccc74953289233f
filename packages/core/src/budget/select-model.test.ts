import { GovernorError } from "@governor/errors";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { checkModelRules, checkNodeModelRules } from "./check-model-rules.js";
import type { ModelRoutingRules } from "./model-rules.js";
import { routeTurn } from "./route-turn.js";
import { emptyUsage, type RunUsage } from "./run-usage.js";
import { DEFAULT_ROUTE_REASON, selectModel } from "./select-model.js";

const rules: ModelRoutingRules = {
  default: "fast",
  rules: [
    { use: "fast", budgetRemainingBelow: 0.2, reason: "budget nearly spent" },
    { use: "strong", contextTokensAbove: 6_000, reason: "beyond the fast model's window" },
    { use: "strong", toolRiskAtLeast: "write", reason: "deciding on a write" },
  ],
};
const roomy = { contextTokens: 100, remainingFraction: 1 } as const;

function thrown(act: () => unknown): GovernorError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(GovernorError);
    return error as GovernorError;
  }
  return expect.fail("expected a GovernorError");
}

describe("selectModel", () => {
  it("answers with the default model when no rule matches", () => {
    expect(selectModel(rules, { ...roomy, risk: "read" })).toEqual({
      use: "fast",
      reason: DEFAULT_ROUTE_REASON,
    });
  });

  it("switches on context size only strictly above the limit", () => {
    expect(selectModel(rules, { ...roomy, contextTokens: 6_000 }).use).toBe("fast");
    const long = selectModel(rules, { ...roomy, contextTokens: 6_001 });
    expect(long).toMatchObject({ use: "strong", rule: 1 });
    expect(long.reason).toBe("beyond the fast model's window (context 6001 tokens > 6000)");
  });

  it("switches on tool risk at or above the declared level", () => {
    expect(selectModel(rules, { ...roomy, risk: "read" }).use).toBe("fast");
    expect(selectModel(rules, { ...roomy, risk: "write" })).toMatchObject({ use: "strong", rule: 2 });
    expect(selectModel(rules, { ...roomy, risk: "destructive" })).toMatchObject({ use: "strong", rule: 2 });
    // No tool in scope is no risk: a risk rule never matches.
    expect(selectModel(rules, roomy).use).toBe("fast");
  });

  it("switches on the remaining budget only below the declared fraction", () => {
    expect(selectModel(rules, { ...roomy, risk: "write", remainingFraction: 0.2 }).use).toBe("strong");
    const spent = selectModel(rules, { ...roomy, risk: "write", remainingFraction: 0.1 });
    expect(spent).toMatchObject({ use: "fast", rule: 0 });
    expect(spent.reason).toBe("budget nearly spent (10% of the budget left < 20%)");
    // An overrun budget (remaining below 0) is still below.
    expect(selectModel(rules, { ...roomy, remainingFraction: -0.5 }).use).toBe("fast");
    // A fraction that cannot be read (NaN) matches nothing rather than guessing.
    expect(selectModel(rules, { ...roomy, risk: "write", remainingFraction: Number.NaN }).rule).toBe(2);
  });

  it("takes the first matching rule, so order decides between rules that both hold", () => {
    const facts = { contextTokens: 9_000, risk: "write" as const, remainingFraction: 0.05 };
    expect(selectModel(rules, facts)).toMatchObject({ use: "fast", rule: 0 });
    const reordered = { default: "fast", rules: [rules.rules?.[1], rules.rules?.[0]] } as ModelRoutingRules;
    expect(selectModel(reordered, facts)).toMatchObject({ use: "strong", rule: 0 });
  });

  it("matches a rule only when every condition it declares holds", () => {
    const both: ModelRoutingRules = {
      default: "fast",
      rules: [{ use: "strong", contextTokensAbove: 1_000, toolRiskAtLeast: "destructive" }],
    };
    expect(selectModel(both, { ...roomy, contextTokens: 5_000, risk: "write" }).use).toBe("fast");
    expect(selectModel(both, { ...roomy, contextTokens: 500, risk: "destructive" }).use).toBe("fast");
    const held = selectModel(both, { ...roomy, contextTokens: 5_000, risk: "destructive" });
    expect(held).toEqual({
      use: "strong",
      rule: 0,
      reason: "context 5000 tokens > 1000, tool risk destructive ≥ destructive",
    });
  });

  it("refuses to decide a context rule without a token count", () => {
    const error = thrown(() => selectModel(rules, { remainingFraction: 1, risk: "read" }));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("rule 1");
  });

  it("never matches a rule without conditions (compile refuses one)", () => {
    expect(selectModel({ default: "fast", rules: [{ use: "strong" }] }, roomy).use).toBe("fast");
  });
});

describe("checkModelRules", () => {
  const models = { fast: { invoke: () => 0 }, strong: { invoke: () => 0 } };

  it("accepts rules naming only given models", () => {
    expect(() => checkNodeModelRules("triage", rules, models)).not.toThrow();
  });

  it("names the unknown model, the node and the models given", () => {
    const error = thrown(() =>
      checkModelRules(
        { nodes: { triage: { kind: "model", instructions: "", models: { ...rules, default: "cheap" } } } },
        models,
      ),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain('names "cheap"');
    expect(error.message).toContain("triage");
    expect(error.message).toContain("given: fast, strong");
  });

  it("reports a rule's unknown model even when the default is known", () => {
    const error = thrown(() =>
      checkNodeModelRules(
        "triage",
        { default: "fast", rules: [{ use: "huge", toolRiskAtLeast: "write" }] },
        models,
      ),
    );
    expect(error.details).toMatchObject({ missing: ["huge"], given: ["fast", "strong"] });
  });

  it("says no models were given when compile got none", () => {
    const error = thrown(() => checkNodeModelRules("triage", { default: "fast" }, undefined));
    expect(error.message).toContain("given: none");
  });

  it("refuses a name given something that is not a model", () => {
    for (const given of [undefined, null, "gpt-4o", { model: "gpt-4o" }]) {
      const error = thrown(() => checkNodeModelRules("triage", { default: "fast" }, { fast: given }));
      expect(error.details).toMatchObject({ missing: ["fast"] });
      expect(error.message).toContain('"fast" (given, but not a chat model)');
    }
  });

  it("does not resolve names through Object.prototype", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const error = thrown(() => checkNodeModelRules("triage", { default: name }, models));
      expect(error.code).toBe("CONFIG_INVALID");
    }
  });

  it("refuses a misspelt condition instead of dropping it (the rule would match on less)", () => {
    const error = thrown(() =>
      checkNodeModelRules(
        "triage",
        { default: "fast", rules: [{ use: "strong", toolRiskAtLeast: "write", contextTokensOver: 10 }] },
        models,
      ),
    );
    expect(error.message).toContain("contextTokensOver");
  });

  it("refuses a rule without a condition, an unknown risk and fractions outside (0, 1]", () => {
    for (const rule of [
      { use: "strong" },
      { use: "strong", toolRiskAtLeast: "admin" },
      { use: "strong", budgetRemainingBelow: 0 },
      { use: "strong", budgetRemainingBelow: 1.5 },
      { use: "strong", contextTokensAbove: -1 },
      { use: "strong", contextTokensAbove: Number.NaN },
    ]) {
      const error = thrown(() => checkNodeModelRules("triage", { default: "fast", rules: [rule] }, models));
      expect(error.code).toBe("CONFIG_INVALID");
      expect(error.message).toContain("nodes.triage.models.rules.0");
    }
  });

  it("ignores steps without rules", () => {
    expect(() =>
      checkModelRules({ nodes: { triage: { kind: "model", instructions: "" } } }, undefined),
    ).not.toThrow();
  });
});

describe("routeTurn", () => {
  const fast = { invoke: () => "fast" };
  const strong = { invoke: () => "strong" };
  const models = { fast, strong };
  const usage = (outputTokens: number): RunUsage => ({ ...emptyUsage(), outputTokens, modelCalls: 1 });
  const short = [new SystemMessage("Answer briefly."), new HumanMessage("Where is order A-1?")];
  const long = [...short, new AIMessage("word ".repeat(7_000))];

  it("counts the prompt and picks the strong model past the fast one's window", async () => {
    const turn = await routeTurn({
      node: "triage",
      rules,
      models,
      prompt: long,
      usage: usage(0),
      budget: {},
    });
    expect(turn).toMatchObject({ name: "strong", model: strong, rule: 1 });
    expect(turn.contextTokens).toBeGreaterThan(6_000);
    expect(turn.reason).toContain("beyond the fast model's window");
  });

  it("reads the remaining budget from the run's usage", async () => {
    const turn = await routeTurn({
      node: "triage",
      rules,
      models,
      prompt: long,
      usage: usage(900),
      budget: { maxTokens: 1_000 },
    });
    expect(turn).toMatchObject({ name: "fast", model: fast, rule: 0 });
    expect(turn.reason).toContain("10% of the budget left");
  });

  it("does not count tokens when no rule is on context size", async () => {
    const turn = await routeTurn({
      node: "triage",
      rules: { default: "fast", rules: [{ use: "strong", toolRiskAtLeast: "write" }] },
      models,
      prompt: long,
      usage: usage(0),
      budget: {},
      risk: "write",
    });
    expect(turn).toMatchObject({ name: "strong", reason: "tool risk write ≥ write" });
    expect(turn.contextTokens).toBeUndefined();
  });

  it("fails on the first turn when a rule that did not match names an unknown model", async () => {
    const caught = await routeTurn({
      node: "triage",
      rules: { default: "fast", rules: [{ use: "huge", contextTokensAbove: 1_000_000 }] },
      models,
      prompt: short,
      usage: usage(0),
      budget: {},
    }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(GovernorError);
    expect((caught as GovernorError).code).toBe("CONFIG_INVALID");
    expect((caught as GovernorError).message).toContain("given: fast, strong");
  });
});
