import {
  compile,
  defineTool,
  defineWorkflow,
  END,
  GovernorError,
  type GovernorEvent,
  type GovernorRuntime,
  type ModelRoutingRules,
  type RunBudget,
  SqliteEffectJournal,
  START,
  type Workflow,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tempRuntimes } from "./support/billing-desk.js";
import { writer } from "./support/essay.js";

/**
 * A support desk whose model steps pick their model by declared rules: the fast model for a
 * short lookup, the strong one once the conversation outgrows the fast one's window, and the
 * fast one again when the budget is nearly spent, whatever the context. The scripted models
 * note each answer, so a test sees which model really ran.
 */

const LONG =
  "The customer writes at length about the order, the delivery, the weather and the courier. ".repeat(380);

const rules: ModelRoutingRules = {
  default: "fast",
  rules: [
    { use: "fast", budgetRemainingBelow: 0.3, reason: "budget nearly spent" },
    { use: "strong", contextTokensAbove: 6_000, reason: "beyond the fast model's window" },
    { use: "strong", toolRiskAtLeast: "write", reason: "deciding on a write" },
  ],
};

// The strong model costs a thousand times more: one long call spends most of the budget.
const prices = {
  "scenario:desk-fast": { inputPerMTok: 1, outputPerMTok: 1 },
  "scenario:desk-strong": { inputPerMTok: 1_000, outputPerMTok: 1_000 },
};

function desk(budget?: RunBudget, models: ModelRoutingRules = rules): Workflow {
  return defineWorkflow({
    name: "routed-desk",
    state: z.object({ question: z.string(), reply: z.string().optional() }),
    agent: { id: "desk", scopes: [] },
    // Budget grants are signed by an approver holding budgets:extend.
    approvers: defineIdentity({
      roles: { "budget-owner": ["budgets:extend"], worker: ["desk:answer"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { alice: { roles: ["budget-owner"] } },
    }),
    tools: [],
    policy: new RulePolicyEngine([]),
    budget,
    nodes: {
      lookup: { kind: "model", instructions: "Look the order up.", input: (s) => s.question, models },
      reason: { kind: "model", instructions: "Work out what went wrong.", input: () => LONG, models },
      respond: {
        kind: "model",
        instructions: "Write the reply.",
        models,
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "lookup"],
      ["lookup", "reason"],
      ["reason", "respond"],
      ["respond", END],
    ],
  });
}

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let answers: string[];
let models: { fast: ReturnType<typeof writer>; strong: ReturnType<typeof writer> };

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open({ prices });
  answers = [];
  models = { fast: writer("desk-fast", answers), strong: writer("desk-strong", answers) };
});
afterEach(() => temp.cleanup());

function modelRecords(threadId: string) {
  return runtime.store.audit.list(threadId).filter((record) => record.kind === "model");
}

describe("declared model routing in model steps", () => {
  it("serves a lookup with the fast model, a long context with the strong one, and drops to fast when the budget is nearly spent", async () => {
    const events: GovernorEvent[] = [];
    const outcome = await runtime.start(
      desk({ maxCostUsd: 11 }),
      { question: "Where is order A-1?" },
      { models, onEvent: (event) => events.push(event) },
    );

    expect(outcome.status).toBe("completed");
    // The models that really answered, in order.
    expect(answers).toEqual(["desk-fast", "desk-strong", "desk-fast"]);
    const records = modelRecords(outcome.threadId);
    expect(records.map((record) => [record.node, record.data.model, record.data.route])).toEqual([
      ["lookup", "scenario:desk-fast", { model: "fast", reason: "default model" }],
      [
        "reason",
        "scenario:desk-strong",
        {
          model: "strong",
          rule: 1,
          reason: expect.stringMatching(/^beyond the fast model's window \(context \d+ tokens > 6000\)$/),
        },
      ],
      [
        "respond",
        "scenario:desk-fast",
        {
          model: "fast",
          rule: 0,
          reason: expect.stringMatching(/^budget nearly spent \(\d+% of the budget left < 30%\)$/),
        },
      ],
    ]);
    // Cost per model: priced under the name of the model that ran, not its routing name.
    const byModel = outcome.usage?.byModel ?? {};
    expect(Object.keys(byModel).sort()).toEqual(["scenario:desk-fast", "scenario:desk-strong"]);
    expect(byModel["scenario:desk-fast"]?.calls).toBe(2);
    expect(byModel["scenario:desk-strong"]?.calls).toBe(1);
    expect(byModel["scenario:desk-strong"]?.costUsd).toBeGreaterThan(11 * 0.7);
    expect(outcome.usage?.costUsd).toBeLessThanOrEqual(11);
    expect(byModel.fast).toBeUndefined();
    // Each choice is streamed as it is made.
    expect(events.filter((event) => event.type === "model-route")).toEqual([
      expect.objectContaining({ node: "lookup", model: "fast", runs: "scenario:desk-fast" }),
      expect.objectContaining({ node: "reason", model: "strong", runs: "scenario:desk-strong" }),
      expect.objectContaining({ node: "respond", model: "fast", runs: "scenario:desk-fast" }),
    ]);
  });

  it("keeps the strong model for the long context when the budget has room", async () => {
    const outcome = await runtime.start(desk(), { question: "Where is order A-1?" }, { models });

    expect(outcome.status).toBe("completed");
    expect(answers).toEqual(["desk-fast", "desk-strong", "desk-strong"]);
    expect(outcome.usage?.byModel["scenario:desk-strong"]?.calls).toBe(2);
  });

  it("lets the budget's own downgrade replace the routed model, and records both", async () => {
    const cheap = writer("desk-cheap", answers);
    const outcome = await runtime.start(
      desk({ maxCostUsd: 20, downgradeAt: 0.3 }, { default: "strong" }),
      { question: "Where is order A-1?" },
      { models, cheapModel: cheap },
    );

    expect(outcome.status).toBe("completed");
    // Routing chose strong every turn; past 30% of the budget the cheap model answered instead.
    expect(answers).toEqual(["desk-strong", "desk-strong", "desk-cheap"]);
    const reply = modelRecords(outcome.threadId).find((record) => record.node === "respond");
    expect(reply?.data).toMatchObject({
      model: "scenario:desk-cheap",
      route: { model: "strong", reason: "default model" },
    });
    const downgrade = runtime.store.audit
      .list(outcome.threadId)
      .find((record) => record.kind === "budget" && record.outcome === "downgraded");
    expect(downgrade).toMatchObject({
      node: "respond",
      data: { from: "scenario:desk-strong", to: "scenario:desk-cheap" },
    });
    expect(outcome.usage?.byModel["scenario:desk-cheap"]?.calls).toBe(1);
  });

  it("asks for budget before the routed model overruns it, and calls that model once after the grant", async () => {
    const workflow = desk({ maxCostUsd: 5 });
    const waiting = await runtime.start(workflow, { question: "Where is order A-1?" }, { models });

    expect(waiting.status).toBe("waiting");
    // The request names the model the rules chose, priced under its own name.
    expect(waiting.budgetRequest).toMatchObject({ node: "reason", model: "scenario:desk-strong" });
    expect(answers).toEqual(["desk-fast"]);

    const outcome = await runtime.grantBudget(
      workflow,
      waiting.threadId,
      { approver: "alice", extra: { costUsd: 30 }, reason: "a long history to read" },
      { models },
    );

    expect(outcome.status).toBe("completed");
    // The strong model ran once for "reason" (the re-run on resume did not call it again).
    expect(answers).toEqual(["desk-fast", "desk-strong", "desk-strong"]);
    expect(outcome.usage?.byModel["scenario:desk-strong"]?.calls).toBe(2);
    expect(modelRecords(outcome.threadId).map((record) => record.data.route)).toEqual([
      expect.objectContaining({ model: "fast" }),
      expect.objectContaining({ model: "strong", rule: 1 }),
      expect.objectContaining({ model: "strong", rule: 1 }),
    ]);
  });

  it("prices a model under its own name, whatever routing name it is given", async () => {
    // The routing name of the expensive model is the cheap model's price-table name.
    const disguised = { "scenario:desk-fast": models.strong, fast: models.fast };
    const outcome = await runtime.start(
      desk(undefined, { default: "fast", rules: [{ use: "scenario:desk-fast", contextTokensAbove: 6_000 }] }),
      { question: "Where is order A-1?" },
      { models: disguised },
    );

    expect(outcome.status).toBe("completed");
    expect(answers).toEqual(["desk-fast", "desk-strong", "desk-strong"]);
    const strong = outcome.usage?.byModel["scenario:desk-strong"];
    expect(strong?.calls).toBe(2);
    // Counted at the strong model's price: a thousand times the fast one's per token.
    expect(strong?.costUsd).toBeCloseTo(
      ((strong?.inputTokens ?? 0) + (strong?.outputTokens ?? 0)) * 1_000e-6,
      9,
    );
  });

  it("routes a step that offers a write tool to the strong model", async () => {
    let refunds = 0;
    const refund = defineTool({
      name: "refund",
      description: "Refund an order",
      input: z.object({ order: z.string() }).strict(),
      scopes: [],
      risk: "write",
      handler: () => ++refunds,
    });
    const workflow = defineWorkflow({
      name: "routed-refund",
      state: z.object({ question: z.string() }),
      agent: { id: "desk", scopes: [] },
      tools: [refund],
      policy: new RulePolicyEngine([]),
      nodes: {
        decide: {
          kind: "model",
          instructions: "Decide.",
          input: (s) => s.question,
          tools: ["refund"],
          models: rules,
        },
      },
      edges: [
        [START, "decide"],
        ["decide", END],
      ],
    });

    const outcome = await runtime.start(workflow, { question: "Refund A-1" }, { models });

    expect(outcome.status).toBe("completed");
    expect(answers).toEqual(["desk-strong"]);
    expect(modelRecords(outcome.threadId)[0]?.data.route).toEqual({
      model: "strong",
      rule: 2,
      reason: "deciding on a write (tool risk write ≥ write)",
    });
    expect(refunds).toBe(0);
  });
});

describe("routing configuration fails before any model runs", () => {
  const services = () => ({
    audit: new SqliteAuditJournal(":memory:"),
    effects: new SqliteEffectJournal(":memory:"),
  });

  it("refuses at compile a rule naming a model that was not given, listing the given names", () => {
    const misnamed = desk(undefined, {
      default: "fast",
      rules: [{ use: "huge", contextTokensAbove: 100_000 }],
    });
    let caught: unknown;
    try {
      compile(misnamed, { models, ...services() });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GovernorError);
    expect((caught as GovernorError).code).toBe("CONFIG_INVALID");
    expect((caught as GovernorError).message).toContain('names "huge"');
    expect((caught as GovernorError).message).toContain("given: fast, strong");
  });

  it("needs no single model when every model step routes", () => {
    expect(() => compile(desk(), { models, ...services() })).not.toThrow();
  });

  it("fails a run given no models without calling any", async () => {
    const caught = await runtime
      .start(desk(), { question: "Where is order A-1?" }, { model: models.fast })
      .then(
        (outcome) => outcome.error,
        (error: unknown) => error,
      );
    expect(caught).toBeInstanceOf(GovernorError);
    expect((caught as GovernorError).code).toBe("CONFIG_INVALID");
    expect((caught as GovernorError).message).toContain("given: none");
    expect(answers).toEqual([]);
  });

  it("does not let a model named after an Object.prototype member stand in for a model", () => {
    const sneaky = desk(undefined, {
      default: "fast",
      rules: [{ use: "constructor", toolRiskAtLeast: "read" }],
    });
    expect(() => compile(sneaky, { models, ...services() })).toThrow(/names "constructor"/);
  });
});
