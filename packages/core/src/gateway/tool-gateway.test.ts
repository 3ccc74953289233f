import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { type PolicyEngine, type PolicyRequest, RulePolicyEngine } from "@governor/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineTool } from "../tools/define-tool.js";
import { SqliteEffectJournal } from "./effect-journal.js";
import type { ProposedCall } from "./proposed-call.js";
import { type CallScope, ToolGateway } from "./tool-gateway.js";

const refundRules = new RulePolicyEngine([
  { id: "support-may-refund", actions: ["issue_refund"], effect: "permit", reason: "support may refund" },
  {
    id: "over-limit-needs-approval",
    actions: ["issue_refund"],
    effect: "require-approval",
    when: ({ args }) => Number(args.amount) > 500,
    reason: "refunds above $500 need a supervisor",
  },
  {
    id: "no-refund-to-flagged",
    actions: ["issue_refund"],
    effect: "forbid",
    when: ({ context }) => context.accountFlagged === true,
    reason: "flagged accounts get no refunds",
  },
]);

const agent = agentPrincipal("support", ["refunds:write"]);
const scope: CallScope = { threadId: "t-1", node: "refund_gate", principal: agent };

let audit: SqliteAuditJournal;
let effects: SqliteEffectJournal;
let refunds: { orderId: string; amount: number }[];
let failNext: boolean;

const issueRefund = defineTool({
  name: "issue_refund",
  description: "Refund an order",
  input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
  scopes: ["refunds:write"],
  risk: "write",
  handler: ({ orderId, amount }) => {
    if (failNext) throw new Error("payments API is down");
    refunds.push({ orderId, amount });
    return { refundId: `R-${refunds.length}`, amount };
  },
});

function gateway(policy: PolicyEngine = refundRules): ToolGateway {
  return new ToolGateway({ tools: [issueRefund], policy, audit, effects });
}

function proposal(args: Record<string, unknown>, overrides: Partial<ProposedCall> = {}): ProposedCall {
  return { id: "call_1", tool: "issue_refund", args, callIndex: 0, proposedBy: "propose", ...overrides };
}

/** A policy engine that records whether it was asked, and allows. */
function spyEngine() {
  const decide = vi.fn((_request: PolicyRequest) => ({
    effect: "allow" as const,
    reasons: ["spy"],
    policyIds: ["spy"],
    policyVersion: "spy-1",
  }));
  return { engine: { version: "spy-1", decide }, decide };
}

beforeEach(() => {
  audit = new SqliteAuditJournal(":memory:");
  effects = new SqliteEffectJournal(":memory:");
  refunds = [];
  failNext = false;
});

describe("ToolGateway.authorize", () => {
  it("denies a call to a tool the workflow does not have, at the tool stage", async () => {
    const { engine, decide } = spyEngine();
    const decision = await gateway(engine).authorize(
      proposal({ path: "/" }, { tool: "delete_files" }),
      scope,
    );

    expect(decision.effect).toBe("deny");
    expect(decision.stage).toBe("tool");
    expect(decision.reasons.join()).toContain("delete_files");
    expect(decide).not.toHaveBeenCalled();
  });

  it("denies a principal missing the tool's scope, naming the scope, without asking policy", async () => {
    const { engine, decide } = spyEngine();
    const reader = agentPrincipal("support", ["orders:read"]);

    const decision = await gateway(engine).authorize(proposal({ orderId: "A-1", amount: 10 }), {
      ...scope,
      principal: reader,
    });

    expect(decision.effect).toBe("deny");
    expect(decision.stage).toBe("identity");
    expect(decision.reasons.join()).toContain("refunds:write");
    expect(decide).not.toHaveBeenCalled();
    const [record] = audit.list("t-1");
    expect(record).toMatchObject({
      kind: "identity",
      outcome: "deny",
      tool: "issue_refund",
      principal: "agent:support",
    });
    expect(record?.data.missingScopes).toEqual(["refunds:write"]);
  });

  it.each([
    ["a string amount", { orderId: "A-1", amount: "120" }, "amount"],
    ["a negative amount", { orderId: "A-1", amount: -5 }, "amount"],
    ["a field the contract does not declare", { orderId: "A-1", amount: 10, note: "rush" }, "note"],
  ])("denies %s at the contract stage without asking policy", async (_case, args, field) => {
    const { engine, decide } = spyEngine();

    const decision = await gateway(engine).authorize(proposal(args), scope);

    expect(decision.effect).toBe("deny");
    expect(decision.stage).toBe("contract");
    expect(decision.reasons.join()).toContain(field);
    expect(decide).not.toHaveBeenCalled();
    const records = audit.list("t-1");
    expect(records.map((record) => `${record.kind}:${record.outcome}`)).toEqual(["contract:refused"]);
    expect(JSON.stringify(records[0]?.data.violations)).toContain(field);
  });

  it("hands the policy the parsed arguments and context, and allows a small refund", async () => {
    const { engine, decide } = spyEngine();
    await gateway(engine).authorize(proposal({ orderId: "A-1", amount: 120 }), scope, {
      context: { accountFlagged: false },
    });

    expect(decide).toHaveBeenCalledTimes(1);
    expect(decide.mock.calls[0]?.[0]).toMatchObject({
      action: "issue_refund",
      args: { orderId: "A-1", amount: 120 },
      context: { accountFlagged: false },
    });

    const decision = await gateway().authorize(
      proposal({ orderId: "A-1", amount: 120 }, { id: "call_2" }),
      scope,
    );
    expect(decision.effect).toBe("allow");
    expect(decision.stage).toBe("policy");
    expect(decision.policyIds).toEqual(["support-may-refund"]);
  });

  it("denies by policy with the forbidding policy's id", async () => {
    const decision = await gateway().authorize(proposal({ orderId: "A-1", amount: 80 }), scope, {
      context: { accountFlagged: true },
    });

    expect(decision.effect).toBe("deny");
    expect(decision.stage).toBe("policy");
    expect(decision.policyIds).toEqual(["no-refund-to-flagged"]);
    const policyRecords = audit.list("t-1").filter((record) => record.kind === "policy");
    expect(policyRecords).toHaveLength(1);
    expect(policyRecords[0]?.outcome).toBe("deny");
    expect(policyRecords[0]?.data.policyIds).toEqual(["no-refund-to-flagged"]);
  });

  it("requires approval above the limit, with the policy id and a hash bound to the arguments", async () => {
    const gw = gateway();
    const decision = await gw.authorize(proposal({ orderId: "A-1", amount: 1200 }), scope);

    expect(decision.effect).toBe("require-approval");
    expect(decision.policyIds).toEqual(["over-limit-needs-approval"]);
    expect(decision.policyVersion).toBe(refundRules.version);
    expect(decision.callHash).toMatch(/^[0-9a-f]{64}$/);

    const same = await gw.authorize(proposal({ orderId: "A-1", amount: 1200 }, { id: "call_2" }), scope);
    const changed = await gw.authorize(proposal({ orderId: "A-1", amount: 1201 }, { id: "call_3" }), scope);
    const otherOrder = await gw.authorize(
      proposal({ orderId: "A-2", amount: 1200 }, { id: "call_4" }),
      scope,
    );
    expect(same.callHash).toBe(decision.callHash);
    expect(changed.callHash).not.toBe(decision.callHash);
    expect(otherOrder.callHash).not.toBe(decision.callHash);
  });
});

describe("ToolGateway.execute", () => {
  const args = { orderId: "A-1", amount: 120 };

  it("runs the handler once and replays the committed result for the same call", async () => {
    const gw = gateway();
    const first = await gw.execute(proposal(args), args, scope);
    const second = await gw.execute(proposal(args), args, scope);

    expect(first).toMatchObject({ ok: true, replayed: false, result: { refundId: "R-1" } });
    expect(second).toMatchObject({ ok: true, replayed: true, result: { refundId: "R-1" } });
    expect(second.idempotencyKey).toBe(first.idempotencyKey);
    expect(refunds).toHaveLength(1);
    const executed = audit
      .list("t-1")
      .filter((record) => record.kind === "execution" && record.outcome === "executed");
    expect(executed).toHaveLength(1);
  });

  it("treats a later call in the run as a new effect", async () => {
    const gw = gateway();
    await gw.execute(proposal(args), args, scope);
    const next = await gw.execute(proposal(args, { id: "call_2", callIndex: 1 }), args, scope);

    expect(next).toMatchObject({ ok: true, replayed: false });
    expect(refunds).toHaveLength(2);
  });

  it("returns a failing handler's error instead of throwing, and audits it as failed", async () => {
    failNext = true;

    const outcome = await gateway().execute(proposal(args), args, scope);

    expect(outcome).toMatchObject({ ok: false, error: "payments API is down" });
    expect(refunds).toHaveLength(0);
    const failed = audit
      .list("t-1")
      .filter((record) => record.kind === "execution" && record.outcome === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data.error).toBe("payments API is down");
    expect(effects.get(outcome.idempotencyKey)?.status).toBe("failed");
  });
});
