import { signApprovalDecision } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ApprovalsWorld,
  approvalsWorld,
  attributeOf,
  cards,
  LARGE_REFUND,
  textOf,
} from "./approvals-fixture.js";
import { createInjectionSample, INJECTION_INPUT, PAYLOADS } from "./fixtures/injection.js";

// The approvals inbox in-process: a real SQLite store, the refund sample and its scenario
// model, the console app with its security middleware; every decision is a form POST.
const TEST_MS = 120_000;

let world: ApprovalsWorld;
beforeEach(async () => {
  world = await approvalsWorld();
});
afterEach(async () => {
  await world.close();
});

/** The waiting $1,200 refund's inbox card and the form fields it carries. */
async function waitingRefund(threadId: string) {
  const page = await world.client().inbox();
  const card = cards(page, "approval").find((html) => html.includes(`data-thread="${threadId}"`));
  if (!card) throw new Error(`the inbox does not list ${threadId}`);
  const requestId = /data-request="([^"]+)"/.exec(card)?.[1] ?? "";
  const callHash = attributeOf(card, "callHash") ?? "";
  return { card, requestId, callHash };
}

describe("the approvals inbox", () => {
  it(
    "lists the $1,200 refund with what would happen, and approving it with a reason completes the run, audited with approver and reason",
    async () => {
      const threadId = await world.start();
      const { card, requestId, callHash } = await waitingRefund(threadId);

      expect(textOf(card, "approval-tool")).toBe("issue_refund");
      expect(JSON.parse(textOf(card, "approval-args") ?? "{}")).toMatchObject({
        orderId: "A-1002",
        amount: 1200,
      });
      expect(textOf(card, "approval-reasons")).toMatch(/500/);
      expect(textOf(card, "approval-policies")).not.toBe("");
      expect(callHash).toMatch(/^[0-9a-f]{16,}$/);
      expect(textOf(card, "approval-call-hash")).toBe(callHash);
      expect(textOf(card, "approval-expires")).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(textOf(card, "approval-approvers")).toContain("supervisor:sam");
      expect(textOf(card, "approval-approvers")).not.toContain("support:alex");
      expect(card).toContain('<select name="approver">');

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        reason: "laptop lost in transit, carrier confirmed",
        approver: "supervisor:sam",
      });

      expect(answer.status).toBe(303);
      expect(answer.location).toBe(`/runs/${threadId}`);
      expect(answer.flash).toMatchObject({ kind: "ok" });
      expect(answer.flash?.message).toContain("completed");
      expect(await world.status(threadId)).toBe("completed");
      expect(world.ledger.refunds.length).toBe(1);
      const approved = await world.records(threadId, "approval", "approved");
      expect(approved).toHaveLength(1);
      expect(JSON.stringify(approved[0])).toContain("supervisor:sam");
      expect(JSON.stringify(approved[0])).toContain("laptop lost in transit, carrier confirmed");
      expect(cards(await world.client().inbox(), "approval")).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "shows why the previous answer was refused, and the request stays decidable",
    async () => {
      const threadId = await world.start();
      const [request] = await world.runtime.pendingApprovals(
        world.workflow.workflow,
        threadId,
        world.workflow.options,
      );
      if (!request) throw new Error("the refund should wait for an approval");
      // A decision signed elsewhere by someone the workflow does not entitle: the approval node refuses it.
      const token = await signApprovalDecision(world.runtime.store.tokenKeys, {
        approver: "support:alex",
        decision: "approve",
        request,
      });
      const outcome = await world.runtime.resume(
        world.workflow.workflow,
        threadId,
        { token },
        world.workflow.options,
      );
      expect(outcome.status).toBe("waiting");

      const { card, requestId, callHash } = await waitingRefund(threadId);
      expect(textOf(card, "approval-refused")).toContain("support:alex");

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
      });
      expect(answer.flash?.kind, answer.flash?.message).toBe("ok");
      expect(world.ledger.refunds.length).toBe(1);
    },
    TEST_MS,
  );

  it(
    "refuses a second identical POST (a second click): nothing more is signed or paid, and the refusal is audited",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);
      const form = { requestId, callHash, decision: "approve", approver: "supervisor:sam", reason: "ok" };
      const browser = world.client();
      expect((await browser.post(`/approvals/${threadId}/decide`, form)).flash?.kind).toBe("ok");
      const auditBefore = (await world.runtime.store.audit.list(threadId)).length;

      const again = await browser.post(`/approvals/${threadId}/decide`, form);

      expect(again.location).toBe("/approvals");
      expect(again.flash?.kind).toBe("error");
      expect(again.flash?.message).toContain("no longer waiting");
      expect(world.ledger.refunds.length).toBe(1);
      expect(await world.records(threadId, "approval", "approved")).toHaveLength(1);
      const refused = await world.records(threadId, "approval", "refused");
      expect(refused).toHaveLength(1);
      expect(refused[0]?.principal).toBe("supervisor:sam");
      expect(refused[0]?.data).toMatchObject({ via: "console", code: "RUN_NOT_INTERRUPTED", requestId });
      expect((await world.runtime.store.audit.list(threadId)).length).toBe(auditBefore + 1);
    },
    TEST_MS,
  );

  it(
    "refuses a form whose call hash is not the pending call's (a stale page): the run keeps waiting",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);
      const other = callHash.replace(/^./, (first) => (first === "0" ? "1" : "0"));

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash: other,
        decision: "approve",
        approver: "supervisor:sam",
      });

      expect(answer.flash?.kind).toBe("error");
      expect(answer.flash?.message).toContain("reload the inbox");
      expect(await world.status(threadId)).toBe("waiting");
      expect(world.ledger.refunds.length).toBe(0);
      expect(await world.records(threadId, "approval", "approved")).toEqual([]);
      expect((await world.records(threadId, "approval", "refused"))[0]?.data).toMatchObject({
        code: "APPROVAL_INVALID",
        callHash: other,
      });
      // Still decidable from a fresh page.
      expect((await waitingRefund(threadId)).callHash).toBe(callHash);
    },
    TEST_MS,
  );

  it(
    "refuses an approver who may not decide, naming who may, and signs nothing",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);

      for (const approver of ["support:alex", "finance:kim", "nobody-at-all"]) {
        const answer = await world.client().post(`/approvals/${threadId}/decide`, {
          requestId,
          callHash,
          decision: "approve",
          approver,
        });
        expect(answer.flash?.kind).toBe("error");
        expect(answer.flash?.message).toContain(approver);
        expect(answer.flash?.message).toContain("Approvers who may: supervisor:sam");
      }

      expect(await world.status(threadId)).toBe("waiting");
      expect(world.ledger.refunds.length).toBe(0);
      const refused = await world.records(threadId, "approval", "refused");
      expect(refused.map((record) => record.principal)).toEqual([
        "support:alex",
        "finance:kim",
        "nobody-at-all",
      ]);
      // The approval node never saw a decision: no attempt of the run was spent.
      expect(refused.every((record) => record.data.via === "console")).toBe(true);
    },
    TEST_MS,
  );

  it(
    "makes exactly one decision of two identical POSTs sent at once; the other is refused and audited",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);
      const form = {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
        reason: "both tabs",
      };

      const answers = await Promise.all([
        world.client().post(`/approvals/${threadId}/decide`, form),
        world.client().post(`/approvals/${threadId}/decide`, form),
      ]);

      expect(answers.map((answer) => answer.flash?.kind).sort()).toEqual(["error", "ok"]);
      expect(await world.status(threadId)).toBe("completed");
      expect(world.ledger.refunds.length).toBe(1);
      expect(await world.records(threadId, "approval", "approved")).toHaveLength(1);
      expect(await world.records(threadId, "execution", "executed")).toHaveLength(1);
      // The later one found the run no longer waiting: at the console's re-read, or (both past
      // it at once) at the runtime's, which reads the checkpoint only once it holds the run's lease.
      const refused = await world.records(threadId, "approval", "refused");
      expect(refused).toHaveLength(1);
      expect(refused[0]?.data).toMatchObject({
        via: "console",
        code: "RUN_NOT_INTERRUPTED",
        approverReason: "both tabs",
      });
    },
    TEST_MS,
  );

  it(
    "rejects with a reason: the refund never happens and the audit names who rejected it and why",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "reject",
        approver: "supervisor:sam",
        reason: "order shows as delivered",
      });

      expect(answer.flash?.kind).toBe("ok");
      expect(answer.flash?.message).toContain("Rejected issue_refund as supervisor:sam");
      expect(world.ledger.refunds.length).toBe(0);
      const rejected = await world.records(threadId, "approval", "rejected");
      expect(rejected).toHaveLength(1);
      expect(JSON.stringify(rejected[0])).toContain("order shows as delivered");
      expect(["completed", "failed"]).toContain(await world.status(threadId));
    },
    TEST_MS,
  );

  it(
    "refuses malformed forms, each naming the field, with nothing decided",
    async () => {
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);
      const good = { requestId, callHash, decision: "approve", approver: "supervisor:sam" };
      const bad: [Record<string, string | string[]>, string][] = [
        [{ ...good, decision: "maybe" }, "decision"],
        [{ ...good, decision: "" }, "decision"],
        [{ callHash, decision: "approve", approver: "supervisor:sam" }, "requestId"],
        [{ requestId, decision: "approve", approver: "supervisor:sam" }, "callHash"],
        [{ ...good, decision: ["approve", "reject"] }, "decision"],
        [{ ...good, approver: ["supervisor:sam", "support:alex"] }, "approver"],
        [{ ...good, reason: "ok\u0000then" }, "reason"],
        [{ ...good, reason: "x".repeat(2_001) }, "reason"],
        [{ ...good, requestId: "r".repeat(201) }, "requestId"],
      ];
      for (const [form, field] of bad) {
        const answer = await world.client().post(`/approvals/${threadId}/decide`, form);
        expect(answer.flash?.kind, JSON.stringify(form).slice(0, 80)).toBe("error");
        expect(answer.flash?.message).toContain(field);
      }

      expect(await world.status(threadId)).toBe("waiting");
      expect(world.ledger.refunds.length).toBe(0);
      expect(await world.records(threadId, "approval", "refused")).toHaveLength(bad.length);
    },
    TEST_MS,
  );

  it(
    "refuses a decision for a thread the store does not hold, and writes no record for it",
    async () => {
      for (const thread of ["no-such-run", "%F0%9F%92%A5", "a".repeat(180)]) {
        const answer = await world.client().post(`/approvals/${thread}/decide`, {
          requestId: "r",
          callHash: "c",
          decision: "approve",
        });
        expect(answer.flash?.kind).toBe("error");
        expect(answer.flash?.message).toMatch(/No run with thread id/);
        expect(await world.runtime.store.audit.list(decodeURIComponent(thread))).toEqual([]);
      }
    },
    TEST_MS,
  );

  it(
    "shows a run whose workflow the console does not know, says why, and refuses to decide it",
    async () => {
      const threadId = await world.start(LARGE_REFUND, undefined, "module:./elsewhere/refund.ts");
      const page = await world.client().inbox();
      const card = cards(page, "approval").find((html) => html.includes(`data-thread="${threadId}"`)) ?? "";

      expect(card).toContain('data-testid="approval-undecidable"');
      expect(card).toContain("module:./elsewhere/refund.ts");
      expect(card).not.toContain('data-testid="approve"');

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId: /data-request="([^"]+)"/.exec(card)?.[1] ?? "",
        callHash: textOf(card, "approval-call-hash") ?? "",
        decision: "approve",
        approver: "supervisor:sam",
      });
      expect(answer.flash?.kind).toBe("error");
      expect(answer.flash?.message).toContain("does not know workflow");
      expect(await world.status(threadId)).toBe("waiting");
      expect(world.ledger.refunds.length).toBe(0);
    },
    TEST_MS,
  );

  it(
    "renders what a model and a tool said as text: no script, handler, javascript: link or second Approve button",
    async () => {
      await world.close();
      world = await approvalsWorld({ sample: createInjectionSample() });
      const threadId = await world.start(INJECTION_INPUT);
      const page = await world.client().inbox();
      const { card, requestId, callHash } = await waitingRefund(threadId);

      for (const payload of Object.values(PAYLOADS)) expect(page).not.toContain(payload);
      expect(page).not.toMatch(/<script>|<img |href="javascript:/i);
      expect(page.match(/data-testid="approve"/g)).toHaveLength(1);
      expect(textOf(card, "approval-args")).toContain(PAYLOADS.script);

      const answer = await world.client().post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
      });
      expect(answer.flash?.kind, answer.flash?.message).toBe("ok");
    },
    TEST_MS,
  );
});
