import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, refundSample } from "@governor/sample-refund";
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, flashAfterPost, LIVE_MS, pollFor, useChromium } from "../fixtures/browser.js";
import {
  auditCount,
  refundConsoleWorkflow,
  storedStatus,
  useTestConsoles,
} from "../fixtures/console-harness.js";

// A run that would overspend its token budget stops and asks; the request waits in the same
// inbox as approvals. Only someone holding budgets:extend may grant more, the amounts must be
// amounts, and a grant lets the run finish.
const browser = useChromium();
const startConsole = useTestConsoles();

const cardOf = (thread: string) => `[data-testid="budget-request"][data-thread="${thread}"]`;

/** Fills the card's form (approver picked when the console offers the choice) and clicks `button`. */
async function answer(
  card: Locator,
  fields: { approver: string; tokens?: string; reason: string },
  button: string,
) {
  const approver = card.locator('select[name="approver"]');
  if (await approver.count()) {
    // The ineligible choice is added the way a tampered page would, to see the console refuse it.
    await approver.evaluate((select: HTMLSelectElement, id) => {
      if (![...select.options].some((option) => option.value === id)) select.add(new Option(id, id));
      select.value = id;
    }, fields.approver);
  }
  if (fields.tokens !== undefined) {
    await card.locator('input[name="tokens"]').evaluate((input: HTMLInputElement, value) => {
      // Past the browser's own number check: the server must refuse bad amounts by itself.
      input.type = "text";
      input.value = value;
    }, fields.tokens);
  }
  await card.locator('textarea[name="reason"]').fill(fields.reason);
  await card.locator(`button[data-testid="${button}"]`).click();
}

describe("a budget request in the console inbox", () => {
  it(
    "is refused to an approver without budgets:extend and for amounts that are not positive whole numbers, then granted and the run finishes",
    async () => {
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow()] });
      const smallRefund = createRefundSample().cases.find((sampleCase) => sampleCase.name === "small-refund");
      if (!smallRefund) throw new Error("the refund sample has no small-refund case");
      const outcome = await fixture.otherRuntime().start(createRefundSample().workflow, smallRefund.input, {
        model: new ScenarioChatModel(refundSample.scenario),
        source: "sample:refund",
        budget: { maxTokens: 150 },
      });
      expect(outcome.budgetRequest).toBeDefined();
      const thread = outcome.threadId;
      const context = await browser().newContext();
      const page = await context.newPage();

      const refused: { approver: string; tokens: string; why: string }[] = [
        { approver: "supervisor:sam", tokens: "1000", why: "an approver without budgets:extend" },
        { approver: "finance:kim", tokens: "-5", why: "a negative amount" },
        { approver: "finance:kim", tokens: "0", why: "zero" },
        { approver: "finance:kim", tokens: "1e9999", why: "an infinite amount" },
        { approver: "finance:kim", tokens: "12.5", why: "a fraction of a token" },
        { approver: "finance:kim", tokens: "lots", why: "words" },
      ];
      for (const attempt of refused) {
        await page.goto(`${fixture.url}/approvals`);
        const card = page.locator(cardOf(thread));
        await card.waitFor({ timeout: LIVE_MS });
        await answer(card, { ...attempt, reason: attempt.why }, "budget-extend");
        const flash = await flashAfterPost(page);
        expect(flash.kind, `${attempt.why}: ${flash.text}`).toContain("error");
        expect(await storedStatus(fixture, thread), attempt.why).toBe("waiting");
      }

      await page.goto(`${fixture.url}/approvals`);
      const card = page.locator(cardOf(thread));
      await card.waitFor({ timeout: LIVE_MS });
      expect(await card.locator('[data-testid="budget-approvers"]').textContent()).toContain("finance:kim");
      await answer(
        card,
        { approver: "finance:kim", tokens: "1000", reason: "lamp refunds are cheap" },
        "budget-extend",
      );
      expect((await flashAfterPost(page)).kind).toContain("ok");
      await pollFor(
        "the run granted more budget to complete",
        () => storedStatus(fixture, thread),
        "completed",
      );
      // One refund, wherever the run was when it asked (the $120 is paid before the reply step overruns).
      expect(await auditCount(fixture, thread, "execution", "executed")).toBe(1);
      expect(
        (await fixture.runtime.store.audit.list(thread))
          .filter((record) => record.kind === "budget")
          .map((record) => record.outcome),
      ).toContain("extended");
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
