import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ApprovalRequest,
  compile,
  defineWorkflow,
  GovernorRuntime,
  type RunOutcome,
} from "@governor/core";
import { signApprovalDecision } from "@governor/identity";
import { ScenarioChatModel } from "@governor/models/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSupportSample, SupportSystems, supportScenario } from "../src/index.js";

let dir: string;
let systems: SupportSystems;
let sample: ReturnType<typeof createSupportSample>;
let model: ScenarioChatModel;
let runtime: GovernorRuntime;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-support-agent-"));
  systems = new SupportSystems();
  sample = createSupportSample({ systems });
  model = new ScenarioChatModel(supportScenario);
  runtime = new GovernorRuntime({ dir });
});

afterEach(() => {
  runtime.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const inputOf = (name: string) => {
  const found = sample.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found.input;
};
const start = (name: string) => runtime.start(sample.workflow, inputOf(name), { model });
const audit = (threadId: string) => runtime.store.audit.list(threadId);
const toolMessages = (outcome: RunOutcome) =>
  (outcome.state.messages as { getType(): string; content: unknown; status?: string }[])
    .filter((message) => message.getType() === "tool")
    .map((message) => ({ content: String(message.content), status: message.status }));

/** The tools the model proposed on one turn of a run (all runs when threadId is omitted), from the audit. */
function proposedOn(turn: number, threadId?: string): string[] {
  const record = runtime.store.audit
    .list(threadId)
    .find((entry) => entry.kind === "model" && entry.data.turn === turn);
  const calls = (record?.data.toolCalls ?? []) as { tool: string }[];
  return calls.map((call) => call.tool);
}

/** Starts the refund-and-cancel case and checks it stopped for exactly one approval: the refund. */
async function startRefundAndCancel(): Promise<RunOutcome & { approvals: readonly ApprovalRequest[] }> {
  const outcome = await start("refund-and-cancel");
  expect(outcome.status).toBe("waiting");
  expect(outcome.approvals).toHaveLength(1);
  return outcome as RunOutcome & { approvals: readonly ApprovalRequest[] };
}

describe("support-agent sample", () => {
  it("reads customer, orders and policies in one turn, as parallel calls that each run once", async () => {
    await startRefundAndCancel();
    const records = runtime.store.audit.list();
    expect(proposedOn(1)).toEqual([
      "lookup_customer",
      "lookup_order",
      "lookup_order",
      "lookup_policy",
      "lookup_policy",
    ]);
    const reads = records.filter(
      (record) =>
        record.kind === "execution" && record.outcome === "executed" && record.tool?.startsWith("lookup_"),
    );
    expect(reads).toHaveLength(5);
  });

  it("in one turn sends the $780 refund to a supervisor and denies cancelling a shipped order; nothing happens yet", async () => {
    const waiting = await startRefundAndCancel();

    const [request] = waiting.approvals;
    expect(request?.tool).toBe("issue_refund");
    expect(request?.args).toMatchObject({ orderId: "A-2001", amount: 780 });
    expect(request?.policyIds).toEqual(["refund-over-limit-needs-approval"]);
    expect(request?.requiredScope).toBe("approvals:refunds");
    expect(systems.refunds).toEqual([]);
    expect(systems.cancellations).toEqual([]);

    const policy = audit(waiting.threadId).filter((record) => record.kind === "policy");
    expect(policy.map((record) => [record.tool, record.outcome])).toEqual(
      expect.arrayContaining([
        ["issue_refund", "require-approval"],
        ["cancel_order", "deny"],
      ]),
    );
    const denied = policy.find((record) => record.tool === "cancel_order");
    expect(denied?.data.policyIds).toEqual(["no-cancel-after-shipping"]);
    // The turn proposed both writes in one message.
    expect(proposedOn(2, waiting.threadId)).toEqual(["issue_refund", "cancel_order"]);
  });

  it("refunds $780 exactly once when the supervisor approves that request; the shipped order is never cancelled", async () => {
    const waiting = await startRefundAndCancel();

    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "supervisor:sam", decision: "approve", requestId: waiting.approvals[0]?.requestId },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(systems.refunds.map((refund) => [refund.orderId, refund.amount])).toEqual([["A-2001", 780]]);
    expect(systems.cancellations).toEqual([]);
    expect(done.state.status).toBe("answered");
    expect(String(done.state.reply)).toContain("Refund R-1 of $780 for A-2001 is on its way.");
    expect(String(done.state.reply)).toMatch(/could not cancel order on A-2002: .*cannot be cancelled/);
    expect(toolMessages(done)).toContainEqual({
      content:
        "Refused by policy: an order that is no longer processing cannot be cancelled: offer a return instead",
      status: "error",
    });

    // The run is over: a second answer has nothing to decide, and nothing runs again.
    await expect(
      runtime.decide(
        sample.workflow,
        waiting.threadId,
        { approver: "supervisor:sam", decision: "approve" },
        { model },
      ),
    ).rejects.toMatchObject({ code: "RUN_NOT_INTERRUPTED" });
    expect(systems.refunds).toHaveLength(1);
    expect(
      audit(waiting.threadId).filter(
        (record) =>
          record.kind === "execution" && record.outcome === "executed" && record.tool === "issue_refund",
      ),
    ).toHaveLength(1);
  });

  it("refunds nothing when the supervisor rejects, and the model tells the customer", async () => {
    const waiting = await startRefundAndCancel();

    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "supervisor:sam", decision: "reject", reason: "machine is under warranty: repair it" },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(systems.refunds).toEqual([]);
    expect(systems.cancellations).toEqual([]);
    expect(String(done.state.reply)).toMatch(/could not issue refund on A-2001: Rejected by supervisor:sam/);
  });

  it("keeps waiting when the agent's own colleague signs the approval, then takes the supervisor's", async () => {
    const waiting = await startRefundAndCancel();
    const request = waiting.approvals[0] as ApprovalRequest;
    const byAgent = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "support:alex",
      decision: "approve",
      request,
    });

    const refused = await runtime.resume(sample.workflow, waiting.threadId, { token: byAgent }, { model });

    expect(refused.status).toBe("waiting");
    expect(systems.refunds).toEqual([]);
    const refusals = audit(waiting.threadId).filter(
      (record) => record.kind === "approval" && record.outcome === "refused",
    );
    expect(refusals.map((record) => String(record.data.reason))).toEqual([
      expect.stringMatching(/approvals:refunds/),
    ]);

    const bySupervisor = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "supervisor:sam",
      decision: "approve",
      request,
    });
    const done = await runtime.resume(sample.workflow, waiting.threadId, { token: bySupervisor }, { model });
    expect(done.status).toBe("completed");
    expect(systems.refunds.map((refund) => refund.amount)).toEqual([780]);
  });

  it("runs a $40 refund and an address change proposed in one turn, each once, without a human", async () => {
    const done = await start("small-fixes");

    expect(done.status).toBe("completed");
    expect(systems.refunds.map((refund) => [refund.orderId, refund.amount])).toEqual([["A-2001", 40]]);
    expect(systems.addressChanges).toEqual([
      { orderId: "A-2003", address: { street: "12 Harbour Road", city: "Leith", postalCode: "EH6 6LN" } },
    ]);
    expect(audit(done.threadId).some((record) => record.kind === "approval")).toBe(false);
    expect(String(done.state.reply)).toContain("Order A-2003 will go to the new address.");
  });

  it("refuses the delete_account an order note injected, at the step that never offered it; no account is deleted", async () => {
    const done = await start("injected-instruction");

    expect(done.status).toBe("completed");
    expect(systems.deletions).toEqual([]);
    const records = audit(done.threadId);
    expect(proposedOn(2, done.threadId)).toEqual(["delete_account"]);
    const refused = records.filter((record) => record.tool === "delete_account");
    expect(refused.map((record) => [record.kind, record.outcome])).toEqual([["identity", "deny"]]);
    expect(refused[0]?.data.reasons).toEqual(["no tool named delete_account is available at this step"]);
    // Never put to policy, never executed: the step refused it before any gate.
    expect(records.some((record) => record.tool === "delete_account" && record.kind === "execution")).toBe(
      false,
    );
    expect(toolMessages(done)).toContainEqual({
      content: "Refused: no tool named delete_account is available at this step",
      status: "error",
    });
    expect(String(done.state.reply)).toContain("Order A-2004 (gift card holder) is delivered.");
  });

  it("still deletes nothing when a variant offers delete_account: the agent lacks accounts:admin, and no policy permits it", async () => {
    const support = sample.workflow.nodes.support as Extract<
      (typeof sample.workflow.nodes)[string],
      { kind: "agent" }
    >;
    const offering = defineWorkflow({
      ...sample.workflow,
      nodes: {
        ...sample.workflow.nodes,
        support: {
          ...support,
          tools: [...support.tools, "delete_account"],
          govern: {
            ...support.govern,
            delete_account: { sufficient: { reason: "test: policy decides alone" } },
          },
        },
      },
    });

    const done = await runtime.start(offering, inputOf("injected-instruction"), { model });

    expect(done.status).toBe("completed");
    expect(systems.deletions).toEqual([]);
    const refused = audit(done.threadId).filter((record) => record.tool === "delete_account");
    expect(refused.map((record) => [record.kind, record.outcome])).toContainEqual(["identity", "deny"]);
    expect(refused.some((record) => record.kind === "execution" && record.outcome === "executed")).toBe(
      false,
    );
  });

  it("denies a refund to a flagged account by policy", async () => {
    const done = await start("flagged-account");

    expect(done.status).toBe("completed");
    expect(systems.refunds).toEqual([]);
    const policy = audit(done.threadId).filter(
      (record) => record.kind === "policy" && record.tool === "issue_refund",
    );
    expect(policy.map((record) => [record.outcome, record.data.policyIds])).toEqual([
      ["deny", ["no-refund-to-flagged-account"]],
    ]);
  });

  it("refuses a refund above what is still refundable at the precondition, before policy is asked", async () => {
    const done = await runtime.start(
      sample.workflow,
      { customerId: "C-100", request: "Refund $900 on A-2001 right now." },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(systems.refunds).toEqual([]);
    const records = audit(done.threadId).filter((record) => record.tool === "issue_refund");
    expect(records.map((record) => [record.kind, record.outcome])).toEqual([["precondition", "fail"]]);
    expect(String(records[0]?.data.reason)).toBe("$900 exceeds the $780 still refundable on A-2001");
  });

  it("refuses to look up another customer's order at the precondition: nothing about it reaches the model", async () => {
    const done = await runtime.start(
      sample.workflow,
      { customerId: "C-100", request: "Where is my order A-3001?" },
      { model },
    );

    expect(done.status).toBe("completed");
    const reads = audit(done.threadId).filter((record) => record.tool === "lookup_order");
    expect(reads.map((record) => [record.kind, record.outcome])).toEqual([["precondition", "fail"]]);
    expect(toolMessages(done).some((message) => message.content.includes("headphones"))).toBe(false);
    expect(String(done.state.reply)).toContain("order A-3001 does not belong to customer C-100");
  });

  it("takes the limit edge after eight turns of lookups: escalated to a person, never a crash", async () => {
    const done = await start("runaway-lookups");

    expect(done.status).toBe("completed");
    expect(done.state.status).toBe("escalated");
    expect(String(done.state.handoff)).toContain("used its 8 turns");
    const records = audit(done.threadId);
    expect(records.filter((record) => record.kind === "model" && record.outcome === "proposed")).toHaveLength(
      8,
    );
    expect(
      records.filter((record) => record.kind === "budget" && record.outcome === "turn-limit"),
    ).toHaveLength(1);
    expect(systems.refunds.length + systems.cancellations.length + systems.addressChanges.length).toBe(0);
  });

  it("draws the loop for Studio: turn, checks, gate, tools and approval nodes, and the limit edge to a person", () => {
    const graph = compile(sample.workflow, { model, ...runtime.store.graphServices() });
    const mermaid = graph.getGraph().drawMermaid();
    for (const node of [
      "support",
      "support.checks",
      "support.gate",
      "support.tools",
      "support.approval",
      "escalate",
    ])
      expect(mermaid).toContain(node);
  });

  it("leaves an audit chain that verifies after every case", async () => {
    for (const sampleCase of sample.cases) await start(sampleCase.name);
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });
  });
});
