import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { type AnyTool, defineTool, type ToolDefinition } from "../tools/define-tool.js";
import { idempotencyKey } from "./call-hash.js";
import { SqliteEffectJournal } from "./effect-journal.js";
import type { ProposedCall } from "./proposed-call.js";
import { type CallScope, ToolGateway } from "./tool-gateway.js";

const agent = agentPrincipal("support", ["payments:write"]);
const scope: CallScope = { threadId: "t-1", node: "pay", principal: agent };
const args = { orderId: "A-1", amount: 120 };
const input = z.object({ orderId: z.string(), amount: z.number().positive() }).strict();
// Payments may be charged; the backup processor only for amounts the context says are small.
const policy = new RulePolicyEngine([
  { id: "may-charge", effect: "permit", reason: "the desk may charge" },
  {
    id: "no-backup-when-frozen",
    effect: "forbid",
    actions: ["charge_backup"],
    when: ({ context }) => context.frozen === true,
    reason: "the account is frozen",
  },
]);

let audit: SqliteAuditJournal;
let effects: SqliteEffectJournal;

beforeEach(() => {
  audit = new SqliteAuditJournal(":memory:");
  effects = new SqliteEffectJournal(":memory:");
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A payments tool whose handler fails its first `failures` invocations, then pays. `calls`
 * counts invocations; `payments` counts real effects.
 */
function paymentsTool(options: { failures?: number; hang?: boolean } & Partial<ToolDefinition> = {}) {
  const { failures = 0, hang = false, ...declared } = options;
  const counter = { calls: 0, payments: 0, signals: [] as AbortSignal[] };
  const tool = defineTool({
    name: "charge",
    description: "Charge a card",
    input,
    scopes: ["payments:write"],
    risk: "write",
    ...declared,
    handler: async (_args, context) => {
      counter.calls++;
      counter.signals.push(context.signal);
      if (hang) return new Promise(() => {});
      if (counter.calls <= failures) throw new Error(`payments API is down (call ${counter.calls})`);
      counter.payments++;
      return { paymentId: `P-${counter.payments}` };
    },
  });
  return { tool, counter };
}

function backupTool(scopes: string[] = ["payments:write"]) {
  const counter = { calls: 0 };
  const tool = defineTool({
    name: "charge_backup",
    description: "Charge through the backup processor",
    input,
    scopes,
    risk: "write",
    handler: () => {
      counter.calls++;
      return { paymentId: "B-1" };
    },
  });
  return { tool, counter };
}

function gatewayOf(...tools: AnyTool[]) {
  return new ToolGateway({ tools, policy, audit, effects });
}

function call(callIndex = 0): ProposedCall {
  return { id: `call_${callIndex}`, tool: "charge", args, callIndex, proposedBy: "propose" };
}

function executionOutcomes(): string[] {
  return audit
    .list("t-1")
    .filter((record) => record.kind === "execution")
    .map((record) => `${record.tool}:${record.outcome}`);
}

describe("ToolGateway.execute: timeout", () => {
  it("returns a timeout when the handler hangs, aborts the handler's signal and audits it", async () => {
    const { tool, counter } = paymentsTool({ hang: true, timeoutMs: 20 });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "timeout", escalated: false, attempts: 1 });
    expect(counter.signals[0]?.aborted).toBe(true);
    expect(executionOutcomes()).toEqual(["charge:timeout"]);
    expect(effects.get(outcome.idempotencyKey)).toMatchObject({ status: "failed", reason: "timeout" });
  });
});

describe("ToolGateway.execute: retry", () => {
  const retry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

  it("retries an idempotent tool until it works, with exactly one real effect", async () => {
    const { tool, counter } = paymentsTool({ failures: 2, idempotent: true, retry });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: true, attempts: 3, replayed: false, result: { paymentId: "P-1" } });
    expect(counter).toMatchObject({ calls: 3, payments: 1 });
    const executed = audit.list("t-1").filter((record) => record.outcome === "executed");
    expect(executed.map((record) => record.data.attempts)).toEqual([3]);
  });

  it("gives up after maxAttempts tries of an idempotent tool", async () => {
    const { tool, counter } = paymentsTool({ failures: 10, idempotent: true, retry });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "failed", attempts: 3 });
    expect(counter.calls).toBe(3);
  });

  it("never retries a tool that is not idempotent, even when it declares a retry", async () => {
    const { tool, counter } = paymentsTool({ failures: 2, retry });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "failed", attempts: 1 });
    expect(counter).toMatchObject({ calls: 1, payments: 0 });
  });
});

describe("ToolGateway.execute: circuit breaker", () => {
  it("opens after the threshold, fails fast without calling the handler, then half-opens", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { tool, counter } = paymentsTool({
      failures: 2,
      circuitBreaker: { threshold: 2, halfOpenAfterMs: 1_000 },
    });
    const gateway = gatewayOf(tool);

    await gateway.execute(call(0), args, scope);
    await gateway.execute(call(1), args, scope);
    expect(gateway.circuit("charge")).toBe("open");

    const refused = await gateway.execute(call(2), args, scope);
    expect(refused).toMatchObject({ ok: false, reason: "circuit-open", attempts: 0 });
    expect(counter.calls).toBe(2);
    // Nothing ran, so nothing is journaled: the call may run later.
    expect(effects.get(refused.idempotencyKey)).toBeUndefined();

    vi.setSystemTime(Date.now() + 1_001);
    const trial = await gateway.execute(call(3), args, scope);
    expect(trial).toMatchObject({ ok: true, result: { paymentId: "P-1" } });
    expect(counter.calls).toBe(3);
    expect(gateway.circuit("charge")).toBe("closed");
    expect(executionOutcomes()).toEqual([
      "charge:failed",
      "charge:failed",
      "charge:circuit-open",
      "charge:executed",
    ]);
  });

  it("does not retry an idempotent tool into an open breaker", async () => {
    const { tool, counter } = paymentsTool({
      failures: 10,
      idempotent: true,
      retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 },
      circuitBreaker: { threshold: 2, halfOpenAfterMs: 60_000 },
    });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "circuit-open", attempts: 2 });
    expect(counter.calls).toBe(2);
  });

  it("keeps one breaker per tool for the gateway's life, across runs", async () => {
    const { tool, counter } = paymentsTool({
      failures: 10,
      circuitBreaker: { threshold: 1, halfOpenAfterMs: 60_000 },
    });
    const gateway = gatewayOf(tool);

    await gateway.execute(call(), args, scope);
    const otherRun = await gateway.execute(call(), args, { ...scope, threadId: "t-2" });

    expect(otherRun).toMatchObject({ ok: false, reason: "circuit-open" });
    expect(counter.calls).toBe(1);
  });
});

describe("ToolGateway.execute: fallback", () => {
  it("runs the fallback tool once with the same arguments when the tool fails", async () => {
    const { tool, counter } = paymentsTool({ failures: 10, fallback: { tool: "charge_backup" } });
    const backup = backupTool();
    const gateway = gatewayOf(tool, backup.tool);

    const outcome = await gateway.execute(call(), args, scope);

    expect(outcome).toMatchObject({
      ok: true,
      tool: "charge_backup",
      fallback: true,
      result: { paymentId: "B-1" },
      primary: { tool: "charge", reason: "failed" },
    });
    expect(counter.calls).toBe(1);
    expect(backup.counter.calls).toBe(1);
    expect(executionOutcomes()).toEqual(["charge:failed", "charge:fallback", "charge_backup:executed"]);

    // The same call again (a node re-run): neither tool runs a second time.
    const again = await gateway.execute(call(), args, scope);
    expect(again).toMatchObject({ ok: true, replayed: true, fallback: true, result: { paymentId: "B-1" } });
    expect(counter.calls).toBe(1);
    expect(backup.counter.calls).toBe(1);
  });

  it("refuses a fallback tool whose scopes the principal lacks, without running it", async () => {
    const { tool } = paymentsTool({ failures: 10, fallback: { tool: "charge_backup" } });
    const backup = backupTool(["payments:admin"]);

    const outcome = await gatewayOf(tool, backup.tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "failed", fallback: true, attempts: 0 });
    expect(outcome.ok ? "" : outcome.error).toContain("payments:admin");
    expect(backup.counter.calls).toBe(0);
  });

  it("puts a fallback tool to the same policy as the gate, and refuses it when policy forbids it", async () => {
    const { tool } = paymentsTool({ failures: 10, fallback: { tool: "charge_backup" } });
    const backup = backupTool();

    const outcome = await gatewayOf(tool, backup.tool).execute(call(), args, scope, {
      context: { frozen: true },
    });

    expect(outcome).toMatchObject({ ok: false, fallback: true, attempts: 0 });
    expect(outcome.ok ? "" : outcome.error).toContain(
      "policy denies charge_backup: the account is frozen [no-backup-when-frozen]",
    );
    expect(backup.counter.calls).toBe(0);
    expect(executionOutcomes()).toContain("charge_backup:refused");
  });

  it("escalates a failure when the tool declares escalate, and audits it", async () => {
    const { tool } = paymentsTool({ hang: true, timeoutMs: 20, fallback: { escalate: true } });

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "timeout", escalated: true, fallback: false });
    expect(executionOutcomes()).toEqual(["charge:timeout", "charge:escalated"]);
  });
});

describe("ToolGateway.execute: the journal decides what may run again", () => {
  const key = idempotencyKey(scope.threadId, scope.node, 0, args);

  it("does not re-run a non-idempotent call left started: the outcome is unknown", async () => {
    const { tool, counter } = paymentsTool({ fallback: { tool: "charge_backup" } });
    const backup = backupTool();
    effects.start(key, "charge", scope.threadId);

    const outcome = await gatewayOf(tool, backup.tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "outcome-unknown", attempts: 0, fallback: false });
    expect(outcome.ok ? "" : outcome.error).toBe(
      "outcome unknown: the call may have happened; reconcile before retrying",
    );
    expect(counter.calls).toBe(0);
    // The other tool might pay a second time, so it does not run either.
    expect(backup.counter.calls).toBe(0);
    expect(effects.get(key)?.status).toBe("started");
    expect(executionOutcomes()).toEqual(["charge:outcome-unknown"]);
  });

  it("re-runs an idempotent call left started", async () => {
    const { tool, counter } = paymentsTool({ idempotent: true });
    effects.start(key, "charge", scope.threadId);

    const outcome = await gatewayOf(tool).execute(call(), args, scope);

    expect(outcome).toMatchObject({ ok: true, replayed: false, attempts: 1 });
    expect(counter.payments).toBe(1);
    expect(effects.get(key)?.status).toBe("committed");
  });

  it("reads a recorded failure back for a non-idempotent tool, and re-runs an idempotent one", async () => {
    effects.start(key, "charge", scope.threadId);
    effects.fail(key, "declined", "failed");
    const strict = paymentsTool();

    const replayed = await gatewayOf(strict.tool).execute(call(), args, scope);
    expect(replayed).toMatchObject({ ok: false, reason: "failed", error: "declined", replayed: true });
    expect(strict.counter.calls).toBe(0);

    const lenient = paymentsTool({ idempotent: true });
    const rerun = await gatewayOf(lenient.tool).execute(call(), args, scope);
    expect(rerun).toMatchObject({ ok: true, replayed: false });
    expect(lenient.counter.payments).toBe(1);
  });
});
