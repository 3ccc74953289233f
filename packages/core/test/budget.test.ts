import type { GovernorRuntime, RunOutcome } from "@governor/core";
import { budgetGrantBinding, GovernorError } from "@governor/core";
import { signApprovalDecision } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { billingDesk, deskModel, type Effects, newEffects, tempRuntimes } from "./support/billing-desk.js";
import { essayWorkflow, writer } from "./support/essay.js";

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let effects: Effects;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  effects = newEffects();
});
afterEach(() => temp.cleanup());

const request = { request: "Charge acct-1 $5 for the late fee" };

function auditOf(threadId: string, kind?: string) {
  return runtime.store.audit.list(threadId).filter((record) => !kind || record.kind === kind);
}

async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the call to throw"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

describe("step budget", () => {
  it("stops the run before the node past maxSteps, so the charge never happens", async () => {
    const workflow = billingDesk({ effects, budget: { maxSteps: 5 } });

    const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.error?.details).toMatchObject({ node: "charge", limit: "maxSteps", used: 5, max: 5 });
    expect(effects.charges).toHaveLength(0);
    expect(outcome.usage?.steps).toBe(5);
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
    expect(auditOf(outcome.threadId, "budget")).toEqual([
      expect.objectContaining({
        outcome: "exceeded",
        node: "charge",
        data: expect.objectContaining({ limit: "maxSteps" }),
      }),
    ]);
  });

  it("lets a run option override the workflow's budget", async () => {
    const workflow = billingDesk({ effects, budget: { maxSteps: 5 } });

    const outcome = await runtime.start(workflow, request, {
      model: deskModel("strong", effects),
      budget: { maxSteps: 7 },
    });

    expect(outcome.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);
    expect(outcome.usage?.steps).toBe(7);
  });
});

describe("wall-time budget", () => {
  it("stops the run at the next node once the time spent running passes maxWallTimeMs", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const clocked = temp.open({ now: () => clock });
    const workflow = billingDesk({
      effects,
      budget: { maxWallTimeMs: 60_000 },
      prepare: () => (clock += 90_000),
    });

    const outcome = await clocked.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.error?.details).toMatchObject({ node: "propose", limit: "maxWallTimeMs" });
    expect(effects.answers).toEqual([]);
    expect(effects.charges).toHaveLength(0);
  });
});

describe("token budget", () => {
  // Measured once from these scripts: draft uses 86 tokens, refine 166; finalize would need ≈231.
  const tightBudget = { maxTokens: 400, downgradeAt: 0.2 };

  async function startEssay(answers: string[], budget = tightBudget): Promise<RunOutcome> {
    return runtime.start(
      essayWorkflow(budget),
      { topic: "refunds" },
      {
        model: writer("strong", answers),
        cheapModel: writer("cheap", answers),
      },
    );
  }

  it("downgrades to the cheaper model first, then asks a human before a call that would overrun", async () => {
    const answers: string[] = [];

    const outcome = await startEssay(answers);

    expect(answers).toEqual(["strong", "cheap"]);
    expect(outcome.status).toBe("waiting");
    expect(outcome.budgetRequest).toMatchObject({
      type: "budget",
      node: "finalize",
      exceeded: ["maxTokens"],
      model: "scenario:cheap",
      budget: { maxTokens: 400 },
    });
    expect(outcome.usage?.byModel).toMatchObject({
      "scenario:strong": { calls: 1 },
      "scenario:cheap": { calls: 1 },
    });
    // Listed as waiting for budget, not for an approval.
    expect((await runtime.pendingBudgets()).map((entry) => [entry.run.threadId, entry.request.node])).toEqual(
      [[outcome.threadId, "finalize"]],
    );
    expect(await runtime.pending()).toEqual([]);
    const budgetRecords = auditOf(outcome.threadId, "budget").map((record) => [record.outcome, record.node]);
    expect(budgetRecords).toEqual([
      ["downgraded", "refine"],
      ["requested", "finalize"],
    ]);
  });

  it("never calls the model over budget: with no cheaper model it asks at the first call that would not fit", async () => {
    const answers: string[] = [];

    const outcome = await runtime.start(
      essayWorkflow({ maxTokens: 200 }),
      { topic: "refunds" },
      {
        model: writer("strong", answers),
      },
    );

    expect(answers).toEqual(["strong"]);
    expect(outcome.status).toBe("waiting");
    expect(outcome.budgetRequest).toMatchObject({
      node: "refine",
      model: "scenario:strong",
      exceeded: ["maxTokens"],
    });
  });

  it("continues after a human extends the budget, counting on from the checkpoint", async () => {
    const answers: string[] = [];
    const waiting = await startEssay(answers);

    const outcome = await runtime.grantBudget(
      essayWorkflow(tightBudget),
      waiting.threadId,
      { approver: "alice", extra: { tokens: 300 }, reason: "finish the essay" },
      { model: writer("strong", answers), cheapModel: writer("cheap", answers) },
    );

    expect(outcome.status).toBe("completed");
    expect(answers).toEqual(["strong", "cheap", "cheap"]);
    expect(outcome.state.final).toBe("cheap says: a fine answer of moderate length.");
    expect(outcome.usage?.modelCalls).toBe(3);
    expect((outcome.state.governor as { budget: { maxTokens: number } }).budget.maxTokens).toBe(700);
    expect(auditOf(outcome.threadId, "budget").map((record) => record.outcome)).toContain("extended");
  });

  it("ends the run without calling the model again when the human says stop", async () => {
    const answers: string[] = [];
    const waiting = await startEssay(answers);

    const outcome = await runtime.resume(
      essayWorkflow(tightBudget),
      waiting.threadId,
      { decision: "stop", approver: "alice", reason: "not worth more" },
      { model: writer("strong", answers), cheapModel: writer("cheap", answers) },
    );

    expect(answers).toEqual(["strong", "cheap"]);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.error?.message).toContain("alice declined to extend it: not worth more");
    expect((outcome.state.governor as { stop: unknown }).stop).toMatchObject({
      code: "BUDGET_EXCEEDED",
      node: "finalize",
      by: "alice",
    });
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
    const again = await rejection(
      runtime.resume(
        essayWorkflow(tightBudget),
        waiting.threadId,
        { decision: "stop" },
        {
          model: writer("strong", answers),
          cheapModel: writer("cheap", answers),
        },
      ),
    );
    expect(again.code).toBe("RUN_NOT_INTERRUPTED");
  });

  it("keeps a grant refused as issued in the future refused when LangGraph replays it later, so the human's stop decides", async () => {
    const answers: string[] = [];
    const waiting = await startEssay(answers);
    const request = waiting.budgetRequest;
    if (!request) throw new Error("the run should wait for more budget");
    const models = { model: writer("strong", answers), cheapModel: writer("cheap", answers) };
    const workflow = essayWorkflow(tightBudget);
    const extra = { tokens: 300 };
    // Signed on a clock ten minutes fast: refused, audited, the run keeps waiting.
    const early = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "alice",
      decision: "approve",
      request: budgetGrantBinding(request, extra),
      now: new Date(Date.now() + 10 * 60_000),
    });
    const refused = await runtime.resume(
      workflow,
      waiting.threadId,
      { decision: "extend", extra, token: early },
      models,
    );
    expect(refused.status).toBe("waiting");
    expect(refused.budgetRequest?.refusedAnswer).toContain("in the future");

    // Eleven minutes on, the early grant would verify; the human now says stop, and stop decides.
    const later = temp.open({ now: () => Date.now() + 11 * 60_000 });
    const outcome = await later.resume(
      workflow,
      waiting.threadId,
      { decision: "stop", approver: "alice" },
      models,
    );

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(answers).toEqual(["strong", "cheap"]);
    expect(auditOf(waiting.threadId, "budget").map((record) => record.outcome)).not.toContain("extended");
  });

  it("refuses a malformed budget answer and keeps the run waiting", async () => {
    const answers: string[] = [];
    const waiting = await startEssay(answers);

    const models = { model: writer("strong", answers), cheapModel: writer("cheap", answers) };
    const workflow = essayWorkflow(tightBudget);

    const error = await rejection(
      runtime.resume(
        workflow,
        waiting.threadId,
        { decision: "extend", extra: {}, token: "x".repeat(40) },
        models,
      ),
    );

    expect(error.code).toBe("RESUME_INVALID");
    expect(error.message).toContain("extra: name at least one of tokens, costUsd, steps, wallTimeMs");
    expect(await runtime.pendingBudget(workflow, waiting.threadId, models)).toMatchObject({
      node: "finalize",
    });
    expect(answers).toEqual(["strong", "cheap"]);
  });
});

describe("cost budget", () => {
  it("prices calls by model and asks before the call that would overrun maxCostUsd", async () => {
    const answers: string[] = [];

    // draft and refine cost $0.000324 at the scenario price; finalize would cost ≈$0.000267 more.
    const outcome = await runtime.start(
      essayWorkflow({ maxCostUsd: 0.0004 }),
      { topic: "refunds" },
      {
        model: writer("strong", answers),
      },
    );

    expect(answers).toEqual(["strong", "strong"]);
    expect(outcome.status).toBe("waiting");
    expect(outcome.budgetRequest).toMatchObject({ node: "finalize", exceeded: ["maxCostUsd"] });
    expect(outcome.usage?.costUsd).toBeCloseTo(0.000324, 9);
  });

  it("uses a custom price table, and refuses to count a model it cannot price", async () => {
    const answers: string[] = [];
    const priced = temp.open({
      prices: { "scenario:strong": { inputPerMTok: 1_000, outputPerMTok: 1_000 } },
    });

    // $0.086 for the draft; the refine call would cost ≈$0.15 more.
    const outcome = await priced.start(
      essayWorkflow({ maxCostUsd: 0.1 }),
      { topic: "refunds" },
      {
        model: writer("strong", answers),
      },
    );
    expect(outcome.status).toBe("waiting");
    expect(outcome.budgetRequest?.node).toBe("refine");

    const inHouse = writer("in-house", answers);
    Object.defineProperty(inHouse, "model", { value: "in-house-llm" });
    const failed = await runtime.start(
      essayWorkflow({ maxCostUsd: 1 }),
      { topic: "refunds" },
      {
        model: inHouse,
      },
    );
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe("CONFIG_INVALID");
    expect(failed.error?.message).toContain('No price for model "in-house-llm"');
    expect(answers).toEqual(["strong"]);
  });
});

describe("budget definitions", () => {
  it("rejects a malformed budget with CONFIG_INVALID naming the field", async () => {
    const error = await rejection(
      runtime.start(billingDesk({ effects }), request, {
        model: deskModel("strong", effects),
        budget: { maxSteps: -1 },
      }),
    );

    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("budget.maxSteps");
    expect(runtime.store.runs.list()).toEqual([]);
  });
});
