import { PaymentsLedger } from "@governor/sample-refund";
import { describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, flashAfterPost, LIVE_MS, pollFor, useChromium } from "../fixtures/browser.js";
import {
  auditCount,
  refundConsoleWorkflow,
  startLargeRefund,
  storedStatus,
  useTestConsoles,
} from "../fixtures/console-harness.js";

// A second click cannot approve twice: not a double click, not two submissions in flight at
// once, not a stale inbox in another tab, not the back button and Approve again. Each way
// ends with one decision in the audit and one refund paid.
const browser = useChromium();
const startConsole = useTestConsoles();

const approvalOf = (thread: string) => `[data-testid="approval"][data-thread="${thread}"]`;

describe("one approval, however often Approve is sent", () => {
  it(
    "a double click, two submissions in flight, a stale tab and back-then-Approve make one decision and one refund",
    async () => {
      const ledger = new PaymentsLedger();
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow(ledger)] });
      const context = await browser().newContext();

      // Double click on the real button.
      const clicked = await startLargeRefund(fixture);
      const page = await context.newPage();
      const stale = await context.newPage();
      await stale.goto(`${fixture.url}/approvals`);
      await stale.locator(approvalOf(clicked)).waitFor({ timeout: LIVE_MS });
      await page.goto(`${fixture.url}/approvals`);
      const approval = page.locator(approvalOf(clicked));
      await approval.locator('textarea[name="reason"]').fill("double click");
      await approval.locator('button[data-testid="approve"]').dblclick();
      // Whichever submission the browser shows the answer of, the page lands on a flash.
      await flashAfterPost(page);
      await page.waitForLoadState("load");
      await pollFor("the double-clicked run to complete", () => storedStatus(fixture, clicked), "completed");

      // The back button, then Approve again on whatever the inbox shows.
      await page.goBack();
      const back = page.locator(`${approvalOf(clicked)} button[data-testid="approve"]`);
      if (await back.count()) {
        await back.click();
        await expect
          .poll(() => page.locator('[data-testid="flash"]').getAttribute("class"))
          .toContain("error");
      }
      // A tab opened before the decision still shows the request: its Approve must be refused.
      await stale.locator(`${approvalOf(clicked)} textarea[name="reason"]`).fill("stale tab");
      await stale.locator(`${approvalOf(clicked)} button[data-testid="approve"]`).click();
      expect((await flashAfterPost(stale)).kind).toContain("error");

      // Two submissions of the same form in flight at once, from the console's own page.
      const raced = await startLargeRefund(fixture);
      await page.goto(`${fixture.url}/approvals`);
      await page.locator(approvalOf(raced)).waitFor({ timeout: LIVE_MS });
      const statuses = await page.evaluate(async (selector) => {
        const form = document.querySelector(`${selector} form`) as HTMLFormElement;
        const body = new FormData(form);
        body.set("decision", "approve");
        body.set("reason", "two in flight");
        const send = () => fetch(form.action, { method: "POST", body: new URLSearchParams(body as never) });
        return (await Promise.all([send(), send()])).map((response) => response.status);
      }, approvalOf(raced));
      expect(statuses).toHaveLength(2);
      await pollFor("the raced run to complete", () => storedStatus(fixture, raced), "completed");

      for (const thread of [clicked, raced]) {
        expect(await auditCount(fixture, thread, "approval", "approved"), thread).toBe(1);
        expect(await auditCount(fixture, thread, "execution", "executed"), thread).toBe(1);
      }
      expect(ledger.refunds).toHaveLength(2);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
