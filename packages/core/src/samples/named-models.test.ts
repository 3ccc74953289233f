import { GovernorError } from "@governor/errors";
import { defineScenario, modelNameOf } from "@governor/models";
import { describe, expect, it } from "vitest";
import type { ModelRoutingRules } from "../budget/model-rules.js";
import { namedModelEnv, resolveNamedModels, routingModelNames } from "./named-models.js";

const routing: ModelRoutingRules = {
  default: "fast",
  rules: [{ use: "strong", contextTokensAbove: 10 }],
};
const workflow = {
  name: "routed",
  nodes: {
    a: { kind: "model" as const, instructions: "", models: routing },
    b: { kind: "model" as const, instructions: "" },
  },
};
const scripts = {
  fast: defineScenario({ name: "desk-fast", turns: [] }),
  strong: defineScenario({ name: "desk-strong", turns: [] }),
};

describe("resolveNamedModels", () => {
  it("lists the names the rules use", () => {
    expect(routingModelNames(workflow)).toEqual(["fast", "strong"]);
    expect(namedModelEnv("fast-2")).toBe("GOVERNOR_MODEL_FAST_2");
  });

  it("plays each name's scenario script offline, priced under its own name", async () => {
    const named = await resolveNamedModels(workflow, scripts, {});
    expect(named?.kind).toBe("scenario");
    expect(named?.names).toEqual(["fast=scenario:desk-fast", "strong=scenario:desk-strong"]);
    expect(modelNameOf(named?.models.strong as never)).toBe("scenario:desk-strong");
  });

  it("refuses offline a routed name without a script, naming it and the variable to set", async () => {
    const caught = await resolveNamedModels(workflow, { fast: scripts.fast }, {}).catch(
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(GovernorError);
    expect((caught as GovernorError).code).toBe("CONFIG_INVALID");
    expect((caught as GovernorError).message).toContain("strong has no scenario script");
    expect((caught as GovernorError).message).toContain("GOVERNOR_MODEL_STRONG");
  });

  it("uses an endpoint model per name when OPENAI_API_KEY is set", async () => {
    const named = await resolveNamedModels(workflow, scripts, {
      OPENAI_API_KEY: "sk-test",
      GOVERNOR_MODEL_STRONG: "gpt-4o",
      GOVERNOR_MODEL: "gpt-4o-mini",
    });
    expect(named?.kind).toBe("openai");
    expect(named?.names).toEqual(["fast=gpt-4o-mini", "strong=gpt-4o"]);
    expect(modelNameOf(named?.models.fast as never)).toBe("gpt-4o-mini");
  });

  it("is undefined for a workflow that does not route and names no models", async () => {
    expect(
      await resolveNamedModels({ name: "plain", nodes: { b: workflow.nodes.b } }, undefined, {}),
    ).toBeUndefined();
  });

  it("does not take a script from Object.prototype for a routed name", async () => {
    const proto = {
      name: "p",
      nodes: { a: { kind: "model" as const, instructions: "", models: { default: "toString" } } },
    };
    await expect(resolveNamedModels(proto, {}, {})).rejects.toThrow(/toString has no scenario script/);
  });
});
