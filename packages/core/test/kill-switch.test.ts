import { GovernorError, type GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANOTHER_PROCESS_TEST_MS, operatorInAnotherProcess } from "./support/another-process.js";
import { billingDesk, deskModel, type Effects, newEffects, tempRuntimes } from "./support/billing-desk.js";
import { essayWorkflow, writer } from "./support/essay.js";

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
/** Another runtime on the same store, in this process: an operator's handle where the test needs no real process. */
let operator: GovernorRuntime;
let effects: Effects;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  operator = temp.open();
  effects = newEffects();
});
afterEach(() => temp.cleanup());

const request = { request: "Charge acct-1 $5 for the late fee" };

async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the call to throw"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

describe("kill switch", () => {
  it(
    "stops a running run at the next node boundary when another process flips it",
    async () => {
      // A real second process, mid-run: the switch reaches this run only through the store.
      let engaged: ReturnType<typeof operatorInAnotherProcess> = [];
      const workflow = billingDesk({
        effects,
        prepare: () => {
          engaged = operatorInAnotherProcess(temp.dir, "kill", { reason: "incident 42" });
        },
      });

      const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });

      expect(outcome.status).toBe("failed");
      expect(outcome.error?.code).toBe("KILLED");
      expect(outcome.error?.message).toContain("stopped before propose");
      expect(outcome.error?.message).toContain("incident 42");
      expect(effects.answers).toEqual([]);
      expect(effects.charges).toEqual([]);
      expect(await runtime.getRun(outcome.threadId)).toMatchObject({ status: "failed" });
      const kills = runtime.store.audit.list(outcome.threadId).filter((record) => record.kind === "kill");
      expect(kills).toEqual([
        expect.objectContaining({
          outcome: "stopped",
          node: "propose",
          data: expect.objectContaining({ scope: "global" }),
        }),
      ]);
      expect(engaged).toEqual([
        expect.objectContaining({ scope: "global", reason: "incident 42", by: "ops:child" }),
      ]);
    },
    ANOTHER_PROCESS_TEST_MS,
  );

  it("stops after a tool handler flips it: the effect already made stays, nothing after it runs", async () => {
    const workflow = billingDesk({ effects, onCharge: () => operator.kill({ reason: "runaway charges" }) });

    const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.error?.code).toBe("KILLED");
    expect(outcome.error?.details).toMatchObject({ node: "respond" });
    expect(effects.charges).toHaveLength(1);
    expect(effects.answers).toEqual(["strong"]);
  });

  it("refuses new runs while engaged and lets them start again once released", async () => {
    await operator.kill({ reason: "maintenance" });

    const refused = await rejection(
      runtime.start(billingDesk({ effects }), request, { model: deskModel("strong", effects) }),
    );
    expect(refused.code).toBe("KILLED");
    expect(refused.message).toContain("maintenance");
    expect(runtime.store.runs.list()).toEqual([]);

    expect(await operator.unkill()).toBe(true);
    const outcome = await runtime.start(billingDesk({ effects }), request, {
      model: deskModel("strong", effects),
    });
    expect(outcome.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);
    expect(await operator.unkill()).toBe(false);
  });

  it("stops only the named agent's runs when engaged for one agent", async () => {
    await operator.kill({ agent: "billing", reason: "billing agent misbehaves" });
    expect(await operator.killSwitches()).toEqual([
      expect.objectContaining({ scope: "agent:billing", reason: "billing agent misbehaves" }),
    ]);

    const billing = await rejection(
      runtime.start(billingDesk({ effects }), request, { model: deskModel("strong", effects) }),
    );
    const support = await runtime.start(
      billingDesk({ effects, agent: "support", name: "support-desk" }),
      request,
      {
        model: deskModel("strong", effects),
      },
    );

    expect(billing.code).toBe("KILLED");
    expect(billing.details).toMatchObject({ scope: "agent:billing" });
    expect(support.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);

    // Releasing the global switch leaves the agent's own switch engaged.
    await operator.kill({ reason: "everyone" });
    await operator.unkill();
    expect((await operator.killSwitches()).map((record) => record.scope)).toEqual(["agent:billing"]);
  });

  it("refuses to resume a waiting run while engaged, and the run still waits", async () => {
    const answers: string[] = [];
    const models = { model: writer("strong", answers) };
    const workflow = essayWorkflow({ maxTokens: 200 });
    const waiting = await runtime.start(workflow, { topic: "refunds" }, models);
    expect(waiting.status).toBe("waiting");

    await operator.kill({ agent: "writer", reason: "pause the writers" });
    const refused = await rejection(
      runtime.grantBudget(workflow, waiting.threadId, { approver: "alice", extra: { tokens: 1000 } }, models),
    );
    expect(refused.code).toBe("KILLED");
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
    // Still the very request the run stopped with: same ask, same id, no refused answer recorded
    // (the switch refused at the door, before anything reached the run).
    const pending = await runtime.pendingBudget(workflow, waiting.threadId, models);
    expect(pending).toEqual(waiting.budgetRequest);
    expect(pending).toMatchObject({
      type: "budget",
      threadId: waiting.threadId,
      requestId: waiting.budgetRequest?.requestId,
      exceeded: expect.arrayContaining(["maxTokens"]),
    });
    expect(pending?.refusedAnswer).toBeUndefined();

    await operator.unkill({ agent: "writer" });
    const outcome = await runtime.grantBudget(
      workflow,
      waiting.threadId,
      { approver: "alice", extra: { tokens: 1000 } },
      models,
    );
    expect(outcome.status).toBe("completed");
    expect(answers).toEqual(["strong", "strong", "strong"]);
  });

  it("records engaging and releasing a switch in the audit chain", async () => {
    await operator.kill({ agent: "billing", reason: "drill", by: "ops:sam" });
    await operator.unkill({ agent: "billing", by: "ops:sam" });

    const records = operator.store.audit.list("governor:kill-switch");
    expect(records.map((record) => [record.kind, record.outcome])).toEqual([
      ["kill", "engaged"],
      ["kill", "released"],
    ]);
    expect(records[0]?.data).toMatchObject({ scope: "agent:billing", reason: "drill", by: "ops:sam" });
    expect(operator.store.audit.verify().ok).toBe(true);
  });
});
