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
    "a double click, a second click while the first answer is slow, two submissions in flight, a stale tab and back-then-Approve: one decision and one refund each",
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
        expect((await flashAfterPost(page)).kind).toContain("error");
      }
      // A tab opened before the decision still shows the request: its Approve must be refused.
      await stale.locator(`${approvalOf(clicked)} textarea[name="reason"]`).fill("stale tab");
      await stale.locator(`${approvalOf(clicked)} button[data-testid="approve"]`).click();
      expect((await flashAfterPost(stale)).kind).toContain("error");

      // Chromium sends one POST for a double click (the second submission replaces the first
      // before it leaves). A slow answer is what lets a second click through: the first
      // answer is held back here until the second click's POST has reached the console too.
      const slowed = await startLargeRefund(fixture);
      await page.goto(`${fixture.url}/approvals`);
      const slowApproval = page.locator(approvalOf(slowed));
      await slowApproval.locator('textarea[name="reason"]').fill("second click while the first is slow");
      let reachedConsole = 0;
      let secondArrived: () => void = () => {};
      const second = new Promise<void>((resolve) => {
        secondArrived = resolve;
      });
      await page.route("**/approvals/*/decide", async (route) => {
        reachedConsole += 1;
        // Interception happens before Chromium adds its Sec-Fetch-* headers: the forwarded POST
        // carries what Chromium sends for this same-origin form (its cookie, Origin and token as given).
        const headers = { ...(await route.request().allHeaders()), "sec-fetch-site": "same-origin" };
        const answer = await route.fetch({ maxRedirects: 0, headers });
        if (reachedConsole === 1) await second;
        else secondArrived();
        // The first navigation was replaced by the second: its answer has nowhere to go.
        await route.fulfill({ response: answer }).catch(() => undefined);
      });
      // The mouse, as a person clicks (a locator's click would wait for the pending navigation).
      const box = await slowApproval.locator('button[data-testid="approve"]').boundingBox();
      if (!box) throw new Error("the Approve button is not on screen");
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(() => reachedConsole, { timeout: LIVE_MS }).toBe(1);
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(() => reachedConsole, { timeout: LIVE_MS }).toBe(2);
      await flashAfterPost(page);
      await page.unroute("**/approvals/*/decide");
      await pollFor("the slowed run to complete", () => storedStatus(fixture, slowed), "completed");

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

      for (const thread of [clicked, slowed, raced]) {
        expect(await auditCount(fixture, thread, "approval", "approved"), thread).toBe(1);
        expect(await auditCount(fixture, thread, "execution", "executed"), thread).toBe(1);
      }
      expect(ledger.refunds).toHaveLength(3);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
