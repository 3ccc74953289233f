import type { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chargeDesk, charging } from "./support/charge-desk.js";
import {
  auditOf,
  executions,
  governorOf,
  type Harness,
  harness,
  rejection,
  toolReplies,
} from "./support/harness.js";
import { refundAttack, refundDesk, signedDecision, startWaiting } from "./support/refund-desk.js";

/**
 * Loops, budgets and the kill switch: a model that repeats itself, runs that would go on
 * too long or spend too much, and an operator who pulls the plug. Each control stops the
 * run with its code before the next effect, and says so in the audit.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const request = { request: "Charge acct-1 $120 for the repair." };
const charge = { account: "acct-1", amount: 120 };

describe("loops, budgets and the kill switch", () => {
  it("L-1 refuses the same call proposed again: one charge, and the model is told why", async () => {
    const { workflow, service } = chargeDesk({ rounds: 2 });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.charges).toEqual([charge]);
    const loops = auditOf(runtime, outcome.threadId, "budget", "loop-detected");
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({
      node: "propose2",
      data: expect.objectContaining({ tool: "charge", args: charge }),
    });
    expect(executions(runtime, outcome.threadId)).toEqual(["charge:executed"]);
    expect(outcome.status).toBe("completed");
    expect(governorOf(outcome.state).routes.route2).toBe("answer");
    expect(outcome.usage?.loopRefusals).toBe(1);
    expect(toolReplies(outcome.state).at(-1)).toContain("Refused: loop guard");
  });

  it("L-2 stops a model that keeps repeating itself with LOOP_DETECTED (default: three refusals)", async () => {
    const { workflow, service } = chargeDesk({ rounds: 4 });
    const attack = charging([charge]);

    const outcome = await runtime.start(workflow, request, { model: attack.model });

    expect(service.charges).toEqual([charge]);
    expect(attack.calls).toHaveLength(4);
    expect(
      auditOf(runtime, outcome.threadId, "budget", "loop-detected").map((record) => record.node),
    ).toEqual(["propose2", "propose3", "propose4"]);
    expect(auditOf(runtime, outcome.threadId, "budget", "stopped")[0]?.data).toMatchObject({
      code: "LOOP_DETECTED",
      refusals: 3,
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("LOOP_DETECTED");
    expect(governorOf(outcome.state).stop).toMatchObject({ code: "LOOP_DETECTED", node: "propose4" });
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
  });

  it("L-3 stops a run at its step budget before the charge", async () => {
    const { workflow, service } = chargeDesk({ budget: { maxSteps: 5 } });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.calls).toBe(0);
    const exceeded = auditOf(runtime, outcome.threadId, "budget", "exceeded");
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0]).toMatchObject({
      node: "charge1",
      data: expect.objectContaining({ limit: "maxSteps", max: 5 }),
    });
    expect(executions(runtime, outcome.threadId)).toEqual([]);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.error?.details).toMatchObject({ node: "charge1", limit: "maxSteps", used: 5 });
  });

  it("L-4 asks a human before a model call that would overrun the token budget; 'stop' ends it without another call", async () => {
    // Measure what one proposing call uses with this script, on a run of its own.
    const probe = chargeDesk({ rounds: 2 });
    const measured = await runtime.start(probe.workflow, request, {
      model: charging([charge, { ...charge, amount: 130 }]).model,
    });
    const first = auditOf(runtime, measured.threadId, "model").find((record) => record.node === "propose1");
    const usage = first?.data.usage as { inputTokens: number; outputTokens: number };
    const maxTokens = Math.floor((usage.inputTokens + usage.outputTokens) * 1.5);

    // A runaway model: every round proposes another charge.
    const { workflow, service } = chargeDesk({ rounds: 2, budget: { maxTokens } });
    const attack = charging([charge, { ...charge, amount: 130 }]);
    const waiting = await runtime.start(workflow, request, { model: attack.model });

    expect(waiting.status).toBe("waiting");
    expect(waiting.budgetRequest).toMatchObject({ node: "propose2", exceeded: ["maxTokens"] });
    expect(attack.calls).toHaveLength(1);
    expect(service.charges).toEqual([charge]);
    const used = (waiting.usage?.inputTokens ?? 0) + (waiting.usage?.outputTokens ?? 0);
    expect(used).toBeLessThanOrEqual(maxTokens);

    const stopped = await runtime.resume(
      workflow,
      waiting.threadId,
      { decision: "stop", approver: "ops:lee", reason: "runaway" },
      {
        model: attack.model,
      },
    );

    expect(attack.calls).toHaveLength(1);
    expect(service.charges).toEqual([charge]);
    expect(auditOf(runtime, waiting.threadId, "budget").map((record) => record.outcome)).toEqual([
      "requested",
      "stopped",
    ]);
    expect(stopped.status).toBe("failed");
    expect(stopped.error?.code).toBe("BUDGET_EXCEEDED");
    expect(governorOf(stopped.state).stop).toMatchObject({
      code: "BUDGET_EXCEEDED",
      node: "propose2",
      by: "ops:lee",
    });
  });

  it("L-5 refuses a new run once the principal has spent its daily budget", async () => {
    const clock = Date.parse("2030-03-01T09:00:00Z");
    const clocked = h.open({ now: () => clock });
    const { workflow, service } = chargeDesk();
    const first = await clocked.start(workflow, request, {
      model: charging([charge]).model,
      budget: { dailyCostUsdPerPrincipal: 1 },
    });
    expect(first.status).toBe("completed");
    const spent = clocked.store.spend.spent("agent:billing", "2030-03-01");
    expect(spent).toBeGreaterThan(0);

    const attack = charging([charge]);
    const error = await rejection(
      clocked.start(workflow, request, { model: attack.model, budget: { dailyCostUsdPerPrincipal: spent } }),
    );

    expect(service.charges).toEqual([charge]);
    expect(attack.calls).toEqual([]);
    expect(clocked.store.runs.list().map((run) => run.threadId)).toEqual([first.threadId]);
    // The refused run left one record, the refusal itself; everything else belongs to the first run.
    const others = clocked.store.audit.list().filter((record) => record.threadId !== first.threadId);
    expect(others.map((record) => [record.kind, record.outcome, record.data.code])).toEqual([
      ["budget", "refused", "BUDGET_EXCEEDED"],
    ]);
    expect(error.code).toBe("BUDGET_EXCEEDED");
    expect(error.message).toContain("daily model budget on 2030-03-01");
  });

  it("L-6 a kill switch pulled during a run stops it at the next node: KILLED, no charge, and no recovery while it holds", async () => {
    const operator = h.open();
    const { workflow, service } = chargeDesk();
    // The operator pulls the switch while the model is answering.
    const attack = charging([charge], () => operator.kill({ agent: "billing", reason: "incident 7" }));

    const outcome = await runtime.start(workflow, request, { model: attack.model });

    expect(service.calls).toBe(0);
    const kills = auditOf(runtime, outcome.threadId, "kill", "stopped");
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({
      node: "route1",
      data: expect.objectContaining({ scope: "agent:billing" }),
    });
    expect(executions(runtime, outcome.threadId)).toEqual([]);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("KILLED");
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
    expect((await rejection(runtime.recover(workflow, outcome.threadId, { model: attack.model }))).code).toBe(
      "KILLED",
    );
    expect(service.calls).toBe(0);
    expect(attack.calls).toHaveLength(1);
  });

  it("L-7 refuses a new run while the kill switch holds", async () => {
    const operator = h.open();
    await operator.kill({ reason: "maintenance", by: "ops:lee" });
    const { workflow, service } = chargeDesk();
    const attack = charging([charge]);

    const error = await rejection(runtime.start(workflow, request, { model: attack.model }));

    expect(service.calls).toBe(0);
    expect(attack.calls).toEqual([]);
    expect(runtime.store.runs.list()).toEqual([]);
    expect(
      runtime.store.audit.list().map((record) => [record.threadId, record.kind, record.outcome]),
    ).toEqual([
      ["governor:kill-switch", "kill", "engaged"],
      [expect.any(String), "kill", "refused"],
    ]);
    expect(error.code).toBe("KILLED");
    expect(error.message).toContain("maintenance");
  });

  it("L-8 a kill switch pulled while a refund waits for approval refuses the approver's resume; nothing is refunded", async () => {
    const desk = refundDesk();
    const waiting = await startWaiting(runtime, desk);
    h.open().kill({ agent: "support", reason: "refund fraud wave" });
    const replier = refundAttack("replier", []).model;

    const error = await rejection(
      runtime.resume(desk.workflow, waiting.threadId, await signedDecision(runtime, waiting.approval), {
        model: replier,
      }),
    );

    expect(desk.ledger.refunds).toHaveLength(0);
    expect(auditOf(runtime, waiting.threadId, "approval").map((record) => record.outcome)).toEqual([
      "requested",
    ]);
    expect(executions(runtime, waiting.threadId)).toEqual([]);
    expect(error.code).toBe("KILLED");
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
  });

  // Was a hole: budget grants were an unsigned `{ decision: "extend", approver, extra }` any client
  // could send. Now a grant must be signed over the request and the amount by a holder of
  // budgets:extend; an unsigned one is refused at the door and the run keeps waiting.
  it("L-9: an unsigned budget grant from anyone is refused, and the runaway model is not called again", async () => {
    const probe = chargeDesk({ rounds: 2 });
    const measured = await runtime.start(probe.workflow, request, {
      model: charging([charge, { ...charge, amount: 130 }]).model,
    });
    const first = auditOf(runtime, measured.threadId, "model").find((record) => record.node === "propose1");
    const usage = first?.data.usage as { inputTokens: number; outputTokens: number };
    const { workflow, service } = chargeDesk({
      rounds: 2,
      budget: { maxTokens: Math.floor((usage.inputTokens + usage.outputTokens) * 1.5) },
    });
    const attack = charging([charge, { ...charge, amount: 130 }]);
    const waiting = await runtime.start(workflow, request, { model: attack.model });
    expect(waiting.budgetRequest?.node).toBe("propose2");

    // Nobody in particular grants the runaway a million tokens.
    const grant = { decision: "extend", approver: "anyone-at-all", extra: { tokens: 1_000_000 } };
    const error = await rejection(runtime.resume(workflow, waiting.threadId, grant, { model: attack.model }));

    expect(attack.calls).toHaveLength(1);
    expect(service.charges).toEqual([charge]);
    expect(auditOf(runtime, waiting.threadId, "budget", "extended")).toHaveLength(0);
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
    expect(error.code).toBe("RESUME_INVALID");
    expect(error.message).toMatch(/token/);
  });
});
