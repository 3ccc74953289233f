import { type GovernorRuntime, idempotencyKey } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chargeDesk, charging } from "./support/charge-desk.js";
import { auditOf, executions, governorOf, type Harness, harness, toolReplies } from "./support/harness.js";

/**
 * Outages and exactly-once: the payments service hangs, fails, or a process dies part-way.
 * A failure ends on a path the workflow chose, never as a crash; a non-idempotent call is
 * never tried twice; a committed call is read back, never repeated.
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

describe("outages and exactly-once", () => {
  it("O-1 a call that hangs times out and escalates to a human; the run ends cleanly, escalated", async () => {
    const { workflow, service } = chargeDesk({
      behaviour: { hang: true },
      resilience: { timeoutMs: 30, fallback: { escalate: true } },
    });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.calls).toBe(1);
    expect(service.charges).toHaveLength(0);
    expect(executions(runtime, outcome.threadId)).toEqual(["charge:timeout", "charge:escalated"]);
    expect(outcome.status).toBe("completed");
    expect(outcome.error).toBeUndefined();
    expect(outcome.state.status).toBe("escalated");
    expect(toolReplies(outcome.state).at(-1)).toMatch(/charge timed out.*escalated to a human/);
  });

  it("O-2 once the breaker opens, later runs fail fast without calling the handler", async () => {
    const { workflow, service } = chargeDesk({
      behaviour: { failures: 100 },
      resilience: { circuitBreaker: { threshold: 2, halfOpenAfterMs: 60_000 } },
    });
    const model = charging([charge]).model;

    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await runtime.start(workflow, request, { model }));

    expect(service.calls).toBe(2);
    expect(service.charges).toHaveLength(0);
    const last = runs[2];
    expect(executions(runtime, last?.threadId ?? "")).toEqual(["charge:circuit-open"]);
    expect(auditOf(runtime, last?.threadId ?? "", "execution")[0]?.data.attempts).toBe(0);
    expect(runs.map((run) => [run.status, run.state.status])).toEqual([
      ["completed", "failed"],
      ["completed", "failed"],
      ["completed", "failed"],
    ]);
    expect(toolReplies(last?.state ?? {}).at(-1)).toContain("circuit breaker open");
  });

  it("O-3 a flaky tool that is not idempotent is tried once, whatever retry it declares", async () => {
    const { workflow, service } = chargeDesk({
      behaviour: { failures: 1 },
      resilience: { retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 } },
    });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.calls).toBe(1);
    expect(service.charges).toHaveLength(0);
    const failed = auditOf(runtime, outcome.threadId, "execution");
    expect(failed.map((record) => [record.outcome, record.data.attempts])).toEqual([["failed", 1]]);
    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("failed");
  });

  it("O-4 an idempotent flaky tool is retried to exactly one real charge", async () => {
    const { workflow, service } = chargeDesk({
      behaviour: { failures: 2 },
      resilience: { idempotent: true, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } },
    });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.calls).toBe(3);
    expect(service.charges).toEqual([charge]);
    const executed = auditOf(runtime, outcome.threadId, "execution");
    expect(executed.map((record) => [record.outcome, record.data.attempts])).toEqual([["executed", 3]]);
    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("paid");
  });

  it("O-5 a non-idempotent call the journal shows started is not re-run, nor handed to a fallback: outcome unknown", async () => {
    const { workflow, service, backup } = chargeDesk({
      resilience: { fallback: { tool: "charge_backup" } },
      backupScopes: ["billing:write"],
    });
    const threadId = "died-mid-charge";
    // A process died while the handler ran: the journal holds the start and nothing after it.
    runtime.store.effects.start(idempotencyKey(threadId, "charge1", 0, charge), "charge", threadId);

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model, threadId });

    expect(service.calls).toBe(0);
    expect(backup.calls).toBe(0);
    expect(executions(runtime, threadId)).toEqual(["charge:outcome-unknown"]);
    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("failed");
    expect(toolReplies(outcome.state).at(-1)).toContain("reconcile before retrying");
  });

  it("O-6 a run that died after the charge committed is recovered by reading the charge back, not charging again", async () => {
    let crashes = 1;
    const { workflow, service } = chargeDesk({
      afterCharge: () => {
        // The process dies after the journal commit and before the checkpoint, once.
        if (crashes-- > 0) throw new Error("process killed");
      },
    });
    const model = charging([charge]).model;
    const died = await runtime.start(workflow, request, { model });
    expect(died.status).toBe("failed");
    expect(service.charges).toHaveLength(1);

    const outcome = await runtime.recover(workflow, died.threadId, { model });

    expect(service.calls).toBe(1);
    expect(service.charges).toEqual([charge]);
    // The read-back shares the first execution's record (same key, same outcome): one charge, one record.
    expect(executions(runtime, died.threadId)).toEqual(["charge:executed"]);
    expect(auditOf(runtime, died.threadId, "run", "recovered")).toHaveLength(1);
    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("paid");
    expect(governorOf(outcome.state).outcomes).toEqual([
      expect.objectContaining({ tool: "charge", ok: true, replayed: true }),
    ]);
  });

  it("O-7 a fallback to a tool the agent holds no scope for is refused; the backup is never called", async () => {
    const { workflow, service, backup } = chargeDesk({
      behaviour: { failures: 1 },
      resilience: { fallback: { tool: "charge_backup" } },
      backupScopes: ["payments:admin"],
    });

    const outcome = await runtime.start(workflow, request, { model: charging([charge]).model });

    expect(service.charges).toHaveLength(0);
    expect(backup.calls).toBe(0);
    expect(executions(runtime, outcome.threadId)).toEqual([
      "charge:failed",
      "charge:fallback",
      "charge_backup:refused",
    ]);
    const refused = auditOf(runtime, outcome.threadId, "execution", "refused");
    expect(String(refused[0]?.data.error)).toContain("lacks scope payments:admin");
    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("failed");
  });
});
