import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApprovalsWorld, approvalsWorld, cards, textOf } from "./approvals-fixture.js";

// Budget requests in the inbox: a run that would overrun its budget waits for a human who
// holds budgets:extend (finance:kim in the refund sample) to grant more, or anyone to stop it.
const TEST_MS = 120_000;
const SMALL_REFUND = {
  customerId: "C-100",
  orderId: "A-1001",
  request: "My lamp arrived cracked. Please refund $120.",
};
const TIGHT = { maxTokens: 5 };

let world: ApprovalsWorld;
beforeEach(async () => {
  world = await approvalsWorld();
});
afterEach(async () => {
  await world.close();
});

async function waitingForBudget(threadId: string) {
  const card = cards(await world.client().inbox(), "budget-request").find((html) =>
    html.includes(`data-thread="${threadId}"`),
  );
  if (!card) throw new Error(`the inbox lists no budget request for ${threadId}`);
  return { card, requestId: /data-request="([^"]+)"/.exec(card)?.[1] ?? "" };
}

describe("budget requests in the inbox", () => {
  it(
    "lists what the run asks, and a grant by finance:kim runs it on to the refund, audited",
    async () => {
      const threadId = await world.start(SMALL_REFUND, TIGHT);
      const { card, requestId } = await waitingForBudget(threadId);
      expect(textOf(card, "budget-exceeded")).toContain("maxTokens");
      expect(textOf(card, "budget-approvers")).toContain("finance:kim");
      expect(textOf(card, "budget-approvers")).not.toContain("supervisor:sam");
      expect(cards(await world.client().inbox(), "approval")).toEqual([]);

      const answer = await world.client().post(`/budgets/${threadId}/decide`, {
        requestId,
        decision: "extend",
        tokens: "50000",
        approver: "finance:kim",
        reason: "lamp refunds are cheap",
      });

      expect(answer.flash?.kind, answer.flash?.message).toBe("ok");
      expect(answer.flash?.message).toContain("Granted 50000 tokens");
      expect(await world.status(threadId)).toBe("completed");
      expect(world.ledger.refunds.length).toBe(1);
      expect(await world.records(threadId, "budget", "extended")).toHaveLength(1);

      const again = await world.client().post(`/budgets/${threadId}/decide`, {
        requestId,
        decision: "extend",
        tokens: "50000",
        approver: "finance:kim",
      });
      expect(again.flash?.kind).toBe("error");
      expect(again.flash?.message).toContain("no longer waiting");
      expect(await world.records(threadId, "budget", "extended")).toHaveLength(1);
      expect((await world.records(threadId, "budget", "refused")).at(-1)?.data).toMatchObject({
        via: "console",
        code: "RUN_NOT_INTERRUPTED",
      });
    },
    TEST_MS,
  );

  it(
    "stops the run when asked: the model is not called again and nothing is refunded",
    async () => {
      const threadId = await world.start(SMALL_REFUND, TIGHT);
      const { requestId } = await waitingForBudget(threadId);

      const answer = await world.client().post(`/budgets/${threadId}/decide`, {
        requestId,
        decision: "stop",
        approver: "supervisor:sam",
        reason: "not worth more",
      });

      expect(answer.flash?.kind, answer.flash?.message).toBe("ok");
      expect(answer.flash?.message).toContain("BUDGET_EXCEEDED");
      expect(await world.status(threadId)).toBe("failed");
      expect(world.ledger.refunds.length).toBe(0);
    },
    TEST_MS,
  );

  it(
    "refuses a grant from an approver without budgets:extend, naming who may, and grants nothing",
    async () => {
      const threadId = await world.start(SMALL_REFUND, TIGHT);
      const { requestId } = await waitingForBudget(threadId);

      const answer = await world.client().post(`/budgets/${threadId}/decide`, {
        requestId,
        decision: "extend",
        tokens: "50000",
        approver: "supervisor:sam",
      });

      expect(answer.flash?.kind).toBe("error");
      expect(answer.flash?.message).toContain("Approvers who may: finance:kim");
      expect(await world.status(threadId)).toBe("waiting");
      expect(await world.records(threadId, "budget", "extended")).toEqual([]);
      expect((await world.records(threadId, "budget", "refused"))[0]?.principal).toBe("supervisor:sam");
    },
    TEST_MS,
  );

  it(
    "refuses malformed budget forms, each naming the field, with nothing granted",
    async () => {
      const threadId = await world.start(SMALL_REFUND, TIGHT);
      const { requestId } = await waitingForBudget(threadId);
      const grant = { requestId, decision: "extend", approver: "finance:kim" };
      const bad: [Record<string, string | string[]>, string][] = [
        [grant, "extend"],
        [{ ...grant, tokens: "-5" }, "tokens"],
        [{ ...grant, tokens: "1.5" }, "tokens"],
        [{ ...grant, tokens: "1e9" }, "tokens"],
        [{ ...grant, tokens: "lots" }, "tokens"],
        [{ ...grant, costUsd: "0" }, "costUsd"],
        [{ ...grant, steps: "Infinity" }, "steps"],
        [{ ...grant, tokens: ["10", "20"] }, "tokens"],
        [{ ...grant, decision: "more" }, "decision"],
        [{ decision: "stop", approver: "finance:kim" }, "requestId"],
        [{ ...grant, tokens: "100", requestId: "bgt_someone_elses" }, "no longer waiting"],
      ];
      for (const [form, field] of bad) {
        const answer = await world.client().post(`/budgets/${threadId}/decide`, form);
        expect(answer.flash?.kind, JSON.stringify(form)).toBe("error");
        expect(answer.flash?.message).toContain(field);
      }
      expect(await world.status(threadId)).toBe("waiting");
      expect(await world.records(threadId, "budget", "extended")).toEqual([]);
      expect(await world.records(threadId, "budget", "refused")).toHaveLength(bad.length);
    },
    TEST_MS,
  );
});
