import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ApprovalRequest, GovernorRuntime, type RunOutcome } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createReceivablesSample,
  DISPUTE_CHECK_TTL_MS,
  ReceivablesLedger,
  receivablesScenario,
} from "../src/index.js";

let dir: string;
let clock: number;
let ledger: ReceivablesLedger;
let sample: ReturnType<typeof createReceivablesSample>;
let model: ScenarioChatModel;
let runtime: GovernorRuntime;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-receivables-"));
  clock = Date.now();
  ledger = new ReceivablesLedger({ now: () => clock });
  sample = createReceivablesSample({ ledger });
  model = new ScenarioChatModel(receivablesScenario);
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
const audit = (threadId: string) => runtime.store.audit.list(threadId);
const sent = () => ledger.notices.map((notice) => [notice.invoiceId, notice.kind]);
/** Every audit record about a send_notice call for one invoice, as [kind, outcome]. */
const noticeTrail = (threadId: string, invoiceId: string) => {
  const callIds = new Set(
    audit(threadId)
      .filter((record) => record.kind === "model")
      .flatMap(
        (record) =>
          (record.data.toolCalls ?? []) as { id: string; tool: string; args: { invoiceId?: string } }[],
      )
      .filter((call) => call.tool === "send_notice" && call.args.invoiceId === invoiceId)
      .map((call) => call.id),
  );
  return audit(threadId)
    .filter((record) => record.tool === "send_notice" && callIds.has(String(record.data.callId)))
    .map((record) => [record.kind, record.outcome]);
};
const toolTexts = (outcome: RunOutcome) =>
  (outcome.state.messages as { getType(): string; content: unknown }[])
    .filter((message) => message.getType() === "tool")
    .map((message) => String(message.content));

/** Starts the chase and checks it stopped for one approval: the final notice on INV-101. */
async function startChase(): Promise<RunOutcome & { approvals: readonly ApprovalRequest[] }> {
  const outcome = await runtime.start(sample.workflow, inputOf("chase-overdue"), { model });
  expect(outcome.status).toBe("waiting");
  expect(
    outcome.approvals?.map((request) => [request.tool, request.args.invoiceId, request.args.kind]),
  ).toEqual([["send_notice", "INV-101", "final_default"]]);
  return outcome as RunOutcome & { approvals: readonly ApprovalRequest[] };
}

describe("receivables sample", () => {
  it("refuses the final notices the model sends before any dispute check, at the precondition, and says why", async () => {
    const waiting = await startChase();

    const refusals = audit(waiting.threadId).filter(
      (record) => record.kind === "precondition" && record.outcome === "fail",
    );
    expect(refusals.map((record) => String(record.data.reason))).toEqual([
      "no dispute check is logged for INV-101 in the last 24 hours: call check_dispute_status before a final default notice",
      "no dispute check is logged for INV-102 in the last 24 hours: call check_dispute_status before a final default notice",
    ]);
    expect(toolTexts(waiting)).toContain(
      "Precondition failed: no dispute check is logged for INV-101 in the last 24 hours: call check_dispute_status before a final default notice",
    );
    // The only notice out so far is the reminder on the recent, undisputed invoice.
    expect(sent()).toEqual([["INV-103", "reminder"]]);
  });

  it("never sends a notice to the disputed invoice: after the check, policy denies it on the dispute fact", async () => {
    const waiting = await startChase();

    expect(noticeTrail(waiting.threadId, "INV-102")).toEqual([
      ["precondition", "fail"],
      ["precondition", "pass"],
      ["policy", "deny"],
    ]);
    const denial = audit(waiting.threadId).find(
      (record) => record.kind === "policy" && record.tool === "send_notice" && record.outcome === "deny",
    );
    expect(denial?.data.policyIds).toEqual(["no-notice-on-disputed-invoice"]);
    expect(toolTexts(waiting)).toContain(
      "Refused by policy: the invoice is in dispute: no notice of any kind goes out until the dispute is resolved",
    );

    const done = await runtime.decideAll(
      sample.workflow,
      waiting.threadId,
      { approver: "controller:ines", decision: "approve" },
      { model },
    );
    expect(done.status).toBe("completed");
    expect(ledger.notices.some((notice) => notice.invoiceId === "INV-102")).toBe(false);
    expect(String(done.state.reply)).toContain("No final_default notice for INV-102: Refused by policy");
  });

  it("sends the checked final notice exactly once on the controller's approval, then records the account in the CRM", async () => {
    const waiting = await startChase();
    expect(waiting.approvals[0]?.requiredScope).toBe("approvals:collections");

    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "controller:ines", decision: "approve", requestId: waiting.approvals[0]?.requestId },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(sent()).toEqual([
      ["INV-103", "reminder"],
      ["INV-101", "final_default"],
    ]);
    expect(ledger.crmUpdates).toEqual([
      {
        accountId: "ACME-7",
        status: "final_notice_sent",
        note: "Sent: reminder for INV-103, final_default for INV-101",
      },
    ]);
    expect(done.state.status).toBe("reported");
    await expect(
      runtime.decide(
        sample.workflow,
        waiting.threadId,
        { approver: "controller:ines", decision: "approve" },
        { model },
      ),
    ).rejects.toMatchObject({ code: "RUN_NOT_INTERRUPTED" });
    expect(ledger.notices.filter((notice) => notice.kind === "final_default")).toHaveLength(1);
  });

  it("sends no final notice when the controller rejects it, and says so in the CRM", async () => {
    const waiting = await startChase();

    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "controller:ines", decision: "reject", reason: "customer promised payment Friday" },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(sent()).toEqual([["INV-103", "reminder"]]);
    expect(ledger.crmUpdates.map((update) => update.status)).toEqual(["reminded"]);
  });

  it("refuses an approval from the collections bot's owner, who lacks approvals:collections", async () => {
    const waiting = await startChase();

    const refused = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "collections:bot-owner", decision: "approve" },
      { model },
    );

    expect(refused.status).toBe("waiting");
    expect(sent()).toEqual([["INV-103", "reminder"]]);
  });

  it("denies even a friendly reminder on the disputed invoice", async () => {
    const done = await runtime.start(sample.workflow, inputOf("reminder-on-disputed"), { model });

    expect(done.status).toBe("completed");
    expect(ledger.notices).toEqual([]);
    expect(noticeTrail(done.threadId, "INV-102")).toEqual([
      ["precondition", "pass"],
      ["policy", "deny"],
    ]);
    expect(String(done.state.reply)).toContain("No reminder notice for INV-102: Refused by policy");
  });

  it("does not count a dispute check older than 24 hours", async () => {
    ledger.checkDispute("INV-101");
    clock += DISPUTE_CHECK_TTL_MS + 60_000;

    const waiting = await startChase();

    // The stale check let nothing through: the first final notice was still refused at the precondition.
    expect(noticeTrail(waiting.threadId, "INV-101")[0]).toEqual(["precondition", "fail"]);
  });

  it("holds the dispute rules in policy alone when a variant drops the precondition (defence in depth)", async () => {
    const policyOnly = createReceivablesSample({ ledger, policyOnly: true });

    const waiting = await runtime.start(policyOnly.workflow, inputOf("chase-overdue"), { model });

    expect(waiting.status).toBe("waiting");
    const denials = audit(waiting.threadId).filter(
      (record) => record.kind === "policy" && record.tool === "send_notice" && record.outcome === "deny",
    );
    expect(denials.map((record) => record.data.policyIds)).toEqual([
      ["final-notice-needs-dispute-check"],
      ["no-notice-on-disputed-invoice", "final-notice-needs-dispute-check"],
      ["no-notice-on-disputed-invoice"],
    ]);
    expect(sent()).toEqual([["INV-103", "reminder"]]);
  });

  it("sends nothing to an invoice disputed while its final notice waited for the controller", async () => {
    const waiting = await startChase();
    // The customer disputes INV-101 after the check, before the controller answers.
    ledger.openDispute("INV-101", "wrong quantity invoiced");

    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "controller:ines", decision: "approve" },
      { model },
    );

    expect(done.status).toBe("completed");
    expect(ledger.notices.some((notice) => notice.kind === "final_default")).toBe(false);
    // The approval lapsed: policy, asked again with the dispute fact read afresh, now denies it.
    const lapsed = audit(waiting.threadId).find(
      (record) => record.kind === "approval" && record.outcome === "rejected",
    );
    expect(String(lapsed?.data.reason)).toMatch(/policy now denies this call \(the invoice is in dispute/);
  });

  it("leaves an audit chain that verifies", async () => {
    const waiting = await startChase();
    await runtime.decideAll(
      sample.workflow,
      waiting.threadId,
      { approver: "controller:ines", decision: "approve" },
      { model },
    );
    await runtime.start(sample.workflow, inputOf("reminder-on-disputed"), { model });
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });
  });
});
