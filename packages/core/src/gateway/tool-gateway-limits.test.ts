import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type AnyTool, defineTool, type ToolDefinition } from "../tools/define-tool.js";
import type { ToolCallLimits } from "./call-limits.js";
import { SqliteEffectJournal } from "./effect-journal.js";
import { InProcessToolCallLimits } from "./in-process-call-limits.js";
import type { ProposedCall } from "./proposed-call.js";
import { type CallScope, ToolGateway } from "./tool-gateway.js";

const agent = agentPrincipal("support", ["payments:write"]);
const scope: CallScope = { threadId: "t-1", node: "pay", principal: agent };
const args = { orderId: "A-1", amount: 120 };
const policy = new RulePolicyEngine([{ id: "may-charge", effect: "permit", reason: "the desk may charge" }]);

let audit: SqliteAuditJournal;
let effects: SqliteEffectJournal;

beforeEach(() => {
  audit = new SqliteAuditJournal(":memory:");
  effects = new SqliteEffectJournal(":memory:");
});

/** A payments tool that fails while `down` says so; `calls` counts handler invocations. */
function paymentsTool(declared: Partial<ToolDefinition> = {}) {
  const counter = { calls: 0, down: false };
  const tool = defineTool({
    name: "charge",
    description: "Charge a card",
    input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
    scopes: ["payments:write"],
    risk: "write",
    ...declared,
    handler: async () => {
      counter.calls++;
      if (counter.down) throw new Error("payments API is down");
      return { paymentId: `P-${counter.calls}` };
    },
  });
  return { tool, counter };
}

function gatewayOf(tools: AnyTool[], limits?: ToolCallLimits) {
  return new ToolGateway({ tools, policy, audit, effects, limits });
}

function call(callIndex: number): ProposedCall {
  return { id: `call_${callIndex}`, tool: "charge", args, callIndex, proposedBy: "propose" };
}

async function executions() {
  return (await audit.list("t-1")).filter((record) => record.kind === "execution");
}

describe("ToolGateway.execute: a tool's rate limit", () => {
  it("does not make a call over the limit, audits it as rate-limited (RATE_LIMITED) and journals nothing", async () => {
    const { tool, counter } = paymentsTool({ rateLimit: { limit: 2, intervalMs: 60_000 } });
    const gateway = gatewayOf([tool]);

    await gateway.execute(call(0), args, scope);
    await gateway.execute(call(1), args, scope);
    const refused = await gateway.execute(call(2), args, scope);

    expect(refused).toMatchObject({ ok: false, reason: "rate-limited", attempts: 0, escalated: false });
    expect(counter.calls).toBe(2);
    const record = (await executions()).at(-1);
    expect(record).toMatchObject({ outcome: "rate-limited", tool: "charge" });
    expect(record?.data).toMatchObject({ code: "RATE_LIMITED", attempts: 0 });
    expect(record?.data.retryAfterMs).toBeGreaterThan(0);
    // Nothing ran, so nothing is claimed: the call may still run once the window has room.
    expect(await effects.get(refused.idempotencyKey)).toBeUndefined();
  });

  it("counts every try of a retried idempotent tool, and does not retry into a used-up limit", async () => {
    const { tool, counter } = paymentsTool({
      idempotent: true,
      retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 },
      rateLimit: { limit: 3, intervalMs: 60_000 },
    });
    counter.down = true;

    const outcome = await gatewayOf([tool]).execute(call(0), args, scope);

    expect(outcome).toMatchObject({ ok: false, reason: "rate-limited", attempts: 3 });
    expect(counter.calls).toBe(3);
  });

  it("hands a rate-limited call to the tool's fallback", async () => {
    const { tool } = paymentsTool({
      rateLimit: { limit: 1, intervalMs: 60_000 },
      fallback: { tool: "charge_backup" },
    });
    const backup = defineTool({
      name: "charge_backup",
      description: "Charge through the backup processor",
      input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
      scopes: ["payments:write"],
      risk: "write",
      handler: () => ({ paymentId: "B-1" }),
    });
    const gateway = gatewayOf([tool, backup]);

    await gateway.execute(call(0), args, scope);
    const second = await gateway.execute(call(1), args, scope);

    expect(second).toMatchObject({
      ok: true,
      fallback: true,
      tool: "charge_backup",
      primary: { reason: "rate-limited" },
    });
  });
});

describe("ToolGateway: call limits given to it", () => {
  it("shares one set of limits between gateways: failures through one open the breaker for the other", async () => {
    const limits = new InProcessToolCallLimits();
    const { tool, counter } = paymentsTool({ circuitBreaker: { threshold: 2, halfOpenAfterMs: 60_000 } });
    const [first, second] = [gatewayOf([tool], limits), gatewayOf([tool], limits)];
    counter.down = true;

    await first.execute(call(0), args, scope);
    await first.execute(call(1), args, scope);
    const refused = await second.execute(call(2), args, scope);

    expect(refused).toMatchObject({ ok: false, reason: "circuit-open", attempts: 0 });
    expect(counter.calls).toBe(2);
    expect(await second.circuit("charge")).toBe("open");
  });

  it("keeps the default per gateway: another gateway's breaker stays closed", async () => {
    const { tool, counter } = paymentsTool({ circuitBreaker: { threshold: 1, halfOpenAfterMs: 60_000 } });
    const [first, second] = [gatewayOf([tool]), gatewayOf([tool])];
    counter.down = true;

    await first.execute(call(0), args, scope);
    const other = await second.execute(call(1), args, scope);

    expect(other).toMatchObject({ ok: false, reason: "failed", attempts: 1 });
  });
});
