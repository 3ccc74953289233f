import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  budgetGrantBinding,
  defineWorkflow,
  type GovernorError,
  GovernorRuntime,
  type RunOutcome,
  type WorkflowEdge,
} from "@governor/core";
import {
  type ApprovalBinding,
  hs256Keys,
  issueDelegationToken,
  signApprovalDecision,
} from "@governor/identity";
import { ScenarioChatModel } from "@governor/models/testing";
import { tamperAuditRecord } from "@governor/observability/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Account,
  type Crm,
  createRefundSample,
  PaymentsLedger,
  refundSample,
  sampleCrm,
} from "../src/index.js";

const small = {
  customerId: "C-100",
  orderId: "A-1001",
  request: "My lamp arrived cracked. Please refund $120.",
};
const large = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};
const flagged = { customerId: "C-300", orderId: "A-3001", request: "Refund my headphones, $80 please." };
const malformed = {
  customerId: "C-100",
  orderId: "A-1001",
  request: "Just refund everything, whatever I paid.",
};

let dir: string;
let ledger: PaymentsLedger;
let sample: ReturnType<typeof createRefundSample>;
let model: ScenarioChatModel;
let runtime: GovernorRuntime;
const opened: GovernorRuntime[] = [];

function openRuntime(): GovernorRuntime {
  const instance = new GovernorRuntime({ dir });
  opened.push(instance);
  return instance;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-refund-"));
  ledger = new PaymentsLedger();
  sample = createRefundSample({ ledger });
  model = new ScenarioChatModel(refundSample.scenario);
  runtime = openRuntime();
});

afterEach(() => {
  for (const instance of opened.splice(0)) {
    try {
      instance.close();
    } catch {
      // already closed by the test
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = (input: unknown) => runtime.start(sample.workflow, input, { model });

/** Starts the $1,200 refund and checks it stopped for a supervisor. */
async function startLarge(): Promise<RunOutcome & { approval: NonNullable<RunOutcome["approval"]> }> {
  const outcome = await start(large);
  expect(outcome.status).toBe("waiting");
  if (!outcome.approval) throw new Error("the large refund should wait for an approval");
  return outcome as RunOutcome & { approval: NonNullable<RunOutcome["approval"]> };
}

/** The GovernorError a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to throw");
    },
    (caught: unknown) => caught,
  );
  return error as GovernorError;
}

/** A decision signed with the store's keys, as `governor approve` makes one. */
async function signed(
  decision: "approve" | "reject",
  request: ApprovalBinding,
  approver = "supervisor:sam",
  reason?: string,
) {
  return {
    token: await signApprovalDecision(runtime.store.tokenKeys, { approver, decision, request, reason }),
  };
}

function auditOf(threadId: string) {
  return runtime.store.audit.list(threadId);
}

describe("refund sample", () => {
  it("refunds $120 on its own, exactly once", async () => {
    const outcome = await start(small);

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]).toMatchObject({ orderId: "A-1001", amount: 120 });
    expect(outcome.state.refund).toMatchObject({ amount: 120, refundId: "R-1" });
    expect(String(outcome.state.reply)).toContain("refund R-1 of $120");
  });

  it("stops a $1,200 refund for a supervisor without refunding anything", async () => {
    const outcome = await startLarge();

    expect(outcome.approval.tool).toBe("issue_refund");
    expect(outcome.approval.args.amount).toBe(1200);
    expect(outcome.approval.callHash).toMatch(/^[0-9a-f]{64}$/);
    expect(outcome.approval.policyIds).toContain("refund-over-limit-needs-approval");
    expect(ledger.refunds).toHaveLength(0);
    expect((await runtime.getRun(outcome.threadId)).status).toBe("waiting");
    expect((await runtime.pending()).map((entry) => entry.run.threadId)).toEqual([outcome.threadId]);
  });

  it("refunds $1,200 exactly once when the supervisor approves that call", async () => {
    const waiting = await startLarge();

    const outcome = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", waiting.approval, "supervisor:sam"),
      { model },
    );

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]).toMatchObject({ orderId: "A-1002", amount: 1200 });
    const approved = auditOf(waiting.threadId).filter(
      (record) => record.kind === "approval" && record.outcome === "approved",
    );
    expect(approved).toHaveLength(1);
    expect(approved[0]?.data.approver).toBe("supervisor:sam");
  });

  it("refunds nothing when the supervisor rejects, and tells the customer", async () => {
    const waiting = await startLarge();

    const outcome = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("reject", waiting.approval, "supervisor:sam", "item was delivered"),
      { model },
    );

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(0);
    expect(String(outcome.state.reply)).toMatch(/could not approve this refund/);
  });

  it("keeps waiting when an answer names another call, then accepts the right one", async () => {
    const waiting = await startLarge();
    const wrongHash = "f".repeat(64);

    const refused = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", { ...waiting.approval, callHash: wrongHash }),
      { model },
    );

    expect(refused.status).toBe("waiting");
    expect(refused.approval?.refusedAnswer).toMatch(/not the pending call/);
    expect(refused.approval?.callHash).toBe(waiting.approval.callHash);
    expect(ledger.refunds).toHaveLength(0);
    const refusals = auditOf(waiting.threadId).filter(
      (record) => record.kind === "approval" && record.outcome === "refused",
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.data.reason).toMatch(/not the pending call/);

    const approved = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", waiting.approval, "supervisor:sam"),
      { model },
    );

    expect(approved.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]?.amount).toBe(1200);
    // Replaying the earlier wrong answer on the second resume must not write a second refusal.
    expect(
      auditOf(waiting.threadId).filter(
        (record) => record.kind === "approval" && record.outcome === "refused",
      ),
    ).toHaveLength(1);
  });

  it("refuses an unsigned decision at the door and keeps the run waiting", async () => {
    const waiting = await startLarge();
    const error = await rejection(
      runtime.resume(
        sample.workflow,
        waiting.threadId,
        { decision: "approve", approver: "supervisor:sam", callHash: waiting.approval.callHash },
        { model },
      ),
    );
    expect(error.code).toBe("RESUME_INVALID");
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
    expect(ledger.refunds).toHaveLength(0);
  });

  it("refuses a decision signed with another key, by an approver without the scope, or already expired", async () => {
    const waiting = await startLarge();
    const forged = {
      token: await signApprovalDecision(hs256Keys("x".repeat(40)), {
        approver: "supervisor:sam",
        decision: "approve",
        request: waiting.approval,
      }),
    };
    const agentApproves = await signed("approve", waiting.approval, "support:alex");
    const expired = {
      token: await signApprovalDecision(runtime.store.tokenKeys, {
        approver: "supervisor:sam",
        decision: "approve",
        request: waiting.approval,
        now: new Date(Date.now() - 60 * 60 * 1000),
      }),
    };
    for (const answer of [forged, agentApproves, expired]) {
      const outcome = await runtime.resume(sample.workflow, waiting.threadId, answer, { model });
      expect(outcome.status).toBe("waiting");
    }
    const refusals = auditOf(waiting.threadId).filter(
      (record) => record.kind === "approval" && record.outcome === "refused",
    );
    expect(refusals.map((record) => String(record.data.reason))).toEqual([
      expect.stringMatching(/signature/i),
      expect.stringMatching(/approvals:refunds/),
      expect.stringMatching(/expired/i),
    ]);
    expect(ledger.refunds).toHaveLength(0);
  });

  it("refuses a decision replayed from another run, even for identical arguments", async () => {
    const first = await startLarge();
    const decision = await signed("approve", first.approval);
    expect((await runtime.resume(sample.workflow, first.threadId, decision, { model })).status).toBe(
      "completed",
    );

    const second = await startLarge();
    expect(second.approval.callHash).toBe(first.approval.callHash);
    const replayed = await runtime.resume(sample.workflow, second.threadId, decision, { model });
    expect(replayed.status).toBe("waiting");
    expect(replayed.approval?.refusedAnswer).toMatch(/not the pending run/);
    expect(ledger.refunds.map((refund) => refund.amount)).toEqual([1200]);
  });

  it("refuses to resume a completed run", async () => {
    const done = await start(small);

    const error = await rejection(
      runtime.resume(
        sample.workflow,
        done.threadId,
        await signed(
          "approve",
          { threadId: "t", node: "n", requestId: "r", callHash: "a".repeat(64) },
          "supervisor:sam",
        ),
        { model },
      ),
    );

    expect(error.code).toBe("RUN_NOT_INTERRUPTED");
    expect(ledger.refunds).toHaveLength(1);
  });

  it("refuses to resume a thread it never ran", async () => {
    const error = await rejection(
      runtime.resume(
        sample.workflow,
        "no-such-thread",
        await signed(
          "approve",
          { threadId: "t", node: "n", requestId: "r", callHash: "a".repeat(64) },
          "supervisor:sam",
        ),
        { model },
      ),
    );

    expect(error.code).toBe("RUN_NOT_FOUND");
  });

  it("refuses a resume payload of the wrong shape and keeps the run waiting", async () => {
    const waiting = await startLarge();

    const error = await rejection(
      runtime.resume(sample.workflow, waiting.threadId, { decision: "yes please" }, { model }),
    );

    expect(error.code).toBe("RESUME_INVALID");
    expect(error.message).toContain("decision");
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
    expect(ledger.refunds).toHaveLength(0);
  });

  it("refuses input without a request before anything runs", async () => {
    const error = await rejection(start({ customerId: "C-100", orderId: "A-1001" }));

    expect(error.code).toBe("INPUT_INVALID");
    expect(error.message).toContain("request");
    expect(runtime.store.runs.list()).toHaveLength(0);
  });

  it("denies a refund to a flagged account by policy", async () => {
    const outcome = await start(flagged);

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(0);
    const policy = auditOf(outcome.threadId).filter((record) => record.kind === "policy");
    expect(policy).toHaveLength(1);
    expect(policy[0]?.outcome).toBe("deny");
    expect(policy[0]?.data.policyIds).toEqual(["no-refund-to-flagged-account"]);
    expect(String(outcome.state.reply)).toMatch(/can't issue a refund on this account/);
  });

  describe("an account the CRM cannot vouch for is treated as flagged (fail closed)", () => {
    // The order is known and belongs to the customer, so the precondition passes and the gate
    // alone decides: only its default for a missing fact stands between the call and a refund.
    const crmWithout = (account: (known: Account | undefined) => Account | undefined): Crm => {
      const crm = sampleCrm();
      return { order: crm.order, account: (customerId) => account(crm.account(customerId)) };
    };

    it("denies a $120 refund to a customer the CRM does not know, by the flagged-account policy", async () => {
      const unknown = createRefundSample({ ledger, crm: crmWithout(() => undefined) });

      const outcome = await runtime.start(unknown.workflow, small, { model });

      expect(outcome.status).toBe("completed");
      expect(ledger.refunds).toHaveLength(0);
      const records = auditOf(outcome.threadId);
      expect(records.filter((record) => record.kind === "precondition").map((r) => r.outcome)).toEqual([
        "pass",
      ]);
      const policy = records.filter((record) => record.kind === "policy");
      expect(policy.map((record) => [record.tool, record.outcome, record.data.policyIds])).toEqual([
        ["issue_refund", "deny", ["no-refund-to-flagged-account"]],
      ]);
      expect(records.some((record) => record.kind === "execution")).toBe(false);
    });

    it("still refunds the same $120 when the CRM knows the account and it is not flagged", async () => {
      const known = createRefundSample({ ledger, crm: crmWithout((account) => account) });

      const outcome = await runtime.start(known.workflow, small, { model });

      expect(ledger.refunds.map((refund) => refund.amount)).toEqual([120]);
      expect(
        auditOf(outcome.threadId)
          .filter((record) => record.kind === "policy")
          .map((record) => record.outcome),
      ).toEqual(["allow"]);
    });
  });

  it("fails the precondition on a malformed amount, refused by the contract", async () => {
    const outcome = await start(malformed);

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(0);
    const records = auditOf(outcome.threadId);
    const contract = records.filter((record) => record.kind === "contract");
    expect(contract).toHaveLength(1);
    expect(contract[0]?.outcome).toBe("refused");
    expect(JSON.stringify(contract[0]?.data.violations)).toContain("amount");
    expect(
      records.filter((record) => record.kind === "precondition").map((record) => record.outcome),
    ).toEqual(["fail"]);
    // The call never reached policy or the payments system.
    expect(records.some((record) => record.kind === "policy" || record.kind === "execution")).toBe(false);
  });

  it("refuses before running a variant whose precondition lets failed checks through", async () => {
    // The check's labels swapped: "fail" would lead on to the gate, so a $400 refund of a $150 order would run.
    const swapped = defineWorkflow({
      ...sample.workflow,
      edges: sample.workflow.edges.map((edge: WorkflowEdge): WorkflowEdge => {
        const [from, to, on] = edge as readonly string[];
        if (from !== "check_refund" || to === undefined || from === undefined) return edge;
        return [from, to, on === "pass" ? "fail" : "pass"];
      }),
    });

    const error = await rejection(
      runtime.start(swapped, { ...small, request: "Please refund $400 for the lamp." }, { model }),
    );

    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.message).toContain("check_refund → refund_gate → issue_refund");
    expect(ledger.refunds).toHaveLength(0);
    expect(runtime.store.runs.list()).toHaveLength(0);
  });

  it("leaves an audit chain that verifies after every kind of run, and names the record edited in the file", async () => {
    await start(small);
    await start(flagged);
    await start(malformed);
    const waiting = await startLarge();
    await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", { ...waiting.approval, callHash: "0".repeat(64) }, "supervisor:sam"),
      { model },
    );
    await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", waiting.approval, "supervisor:sam"),
      { model },
    );
    expect(ledger.refunds.map((refund) => refund.amount)).toEqual([120, 1200]);

    const records = runtime.store.audit.list();
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true, records: records.length });

    // Someone with the SQLite file names another approver on the $1,200 approval: a verifier
    // that always said "ok" would pass the check above, not this one.
    const approval = records.find(
      (record) =>
        record.threadId === waiting.threadId && record.kind === "approval" && record.outcome === "approved",
    );
    if (!approval) throw new Error("the $1,200 approval should be audited");
    tamperAuditRecord(dir, approval.seq, "data", (data) => data.replace("supervisor:sam", "supervisor:eve"));

    expect(runtime.store.audit.verify()).toMatchObject({ ok: false, brokenAt: approval.seq });
  });

  it("lets an approval lapse when the policy changed before it was given", async () => {
    const waiting = await startLarge();
    const stricter = new RulePolicyEngine([
      { id: "support-may-refund", actions: ["issue_refund"], effect: "permit", reason: "support may refund" },
      {
        id: "refund-over-100-needs-approval",
        actions: ["issue_refund"],
        effect: "require-approval",
        when: ({ args }) => Number(args.amount) > 100,
        reason: "above $100",
      },
    ]);
    const redeployed = createRefundSample({ ledger, policy: stricter });

    const outcome = await runtime.resume(
      redeployed.workflow,
      waiting.threadId,
      await signed("approve", waiting.approval, "supervisor:sam"),
      { model },
    );

    expect(outcome.status).toBe("completed");
    expect(ledger.refunds).toHaveLength(0);
    const decided = auditOf(waiting.threadId).find(
      (record) => record.kind === "approval" && record.outcome === "rejected",
    );
    expect(String(decided?.data.reason)).toContain("the policy changed since approval was requested");
  });

  it("resumes a waiting run whose registry entry says running, as a crashed process leaves it", async () => {
    const waiting = await startLarge();
    runtime.store.runs.setStatus(waiting.threadId, "running");
    const outcome = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", waiting.approval, "supervisor:sam"),
      { model },
    );
    expect(outcome.status).toBe("completed");
    expect(ledger.refunds.map((refund) => refund.amount)).toEqual([1200]);
  });

  describe("acting for a user", () => {
    const token = (scopes: string[], extra: { now?: Date } = {}) =>
      issueDelegationToken(runtime.store.tokenKeys, { agentId: "support", userId: "U-7", scopes, ...extra });

    it("refuses the refund when the user lacks refund rights, though the agent has them", async () => {
      const outcome = await runtime.start(sample.workflow, small, {
        model,
        delegation: { token: await token(["orders:read"]) },
      });
      expect(outcome.status).toBe("completed");
      expect(ledger.refunds).toHaveLength(0);
      const denied = auditOf(outcome.threadId).find(
        (record) => record.kind === "identity" && record.outcome === "deny",
      );
      expect(denied?.tool).toBe("issue_refund");
      expect(denied?.principal).toBe("agent:support/user:U-7");
      expect(denied?.data.missingScopes).toEqual(["refunds:write"]);
    });

    it("refunds when both the agent and the user hold refunds:write", async () => {
      const outcome = await runtime.start(sample.workflow, small, {
        model,
        delegation: { token: await token(["refunds:write", "orders:read"]) },
      });
      expect(outcome.status).toBe("completed");
      expect(ledger.refunds.map((refund) => refund.amount)).toEqual([120]);
    });

    it("refuses an expired or forged token before the run starts", async () => {
      const expired = await token(["refunds:write"], { now: new Date(Date.now() - 2 * 60 * 60 * 1000) });
      const forged = await issueDelegationToken(hs256Keys("y".repeat(40)), {
        agentId: "support",
        userId: "U-7",
        scopes: ["refunds:write"],
      });
      expect(
        (await rejection(runtime.start(sample.workflow, small, { model, delegation: { token: expired } })))
          .code,
      ).toBe("IDENTITY_TOKEN_EXPIRED");
      expect(
        (await rejection(runtime.start(sample.workflow, small, { model, delegation: { token: forged } })))
          .code,
      ).toBe("IDENTITY_TOKEN_INVALID");
      expect(runtime.store.runs.list()).toHaveLength(0);
      expect(ledger.refunds).toHaveLength(0);
    });
  });

  describe("granting more budget", () => {
    const overBudget = async () => {
      const waiting = await runtime.start(sample.workflow, small, { model, budget: { maxTokens: 150 } });
      expect(waiting.status).toBe("waiting");
      if (!waiting.budgetRequest) throw new Error("the run should wait for budget");
      return { ...waiting, budgetRequest: waiting.budgetRequest };
    };

    it("refuses a grant by someone without budgets:extend, and one whose amount differs from what was signed", async () => {
      const waiting = await overBudget();
      const byAgent = await runtime.grantBudget(
        sample.workflow,
        waiting.threadId,
        { approver: "support:alex", extra: { tokens: 1000 } },
        { model },
      );
      expect(byAgent.status).toBe("waiting");
      expect(byAgent.budgetRequest?.refusedAnswer).toMatch(/budgets:extend/);

      const signedForLittle = await signApprovalDecision(runtime.store.tokenKeys, {
        approver: "finance:kim",
        decision: "approve",
        request: budgetGrantBinding(waiting.budgetRequest, { tokens: 1000 }),
      });
      const inflated = await runtime.resume(
        sample.workflow,
        waiting.threadId,
        { decision: "extend", extra: { tokens: 1_000_000 }, token: signedForLittle },
        { model },
      );
      expect(inflated.status).toBe("waiting");
      expect(inflated.budgetRequest?.refusedAnswer).toMatch(/not the pending call/);
      expect(
        auditOf(waiting.threadId).filter(
          (record) => record.kind === "budget" && record.outcome === "extended",
        ),
      ).toHaveLength(0);
    });

    it("runs on when finance grants more, signed", async () => {
      const waiting = await overBudget();
      const outcome = await runtime.grantBudget(
        sample.workflow,
        waiting.threadId,
        { approver: "finance:kim", extra: { tokens: 1000 } },
        { model },
      );
      expect(outcome.status).toBe("completed");
      expect(String(outcome.state.reply)).toContain("refund R-1 of $120");
      const extended = auditOf(waiting.threadId).find(
        (record) => record.kind === "budget" && record.outcome === "extended",
      );
      expect(extended?.data.by).toBe("finance:kim");
    });
  });
});
