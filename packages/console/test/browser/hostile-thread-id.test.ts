import { PaymentsLedger } from "@governor/sample-refund";
import { describe, expect, it } from "vitest";
import {
  BROWSER_TEST_MS,
  flashAfterPost,
  injectionEvidence,
  LIVE_MS,
  pollFor,
  useChromium,
} from "../fixtures/browser.js";
import {
  refundConsoleWorkflow,
  startLargeRefund,
  storedStatus,
  useTestConsoles,
} from "../fixtures/console-harness.js";

// A thread id is chosen by whoever starts the run (the CLI's --thread, the API server, Studio):
// it lands in attributes (data-thread), in links (/runs/<id>), in form actions
// (/approvals/<id>/decide) and in live-stream URLs. Ids that break out of an attribute, or
// that look like other paths of the console, must stay one inert id everywhere.
const browser = useChromium();
const startConsole = useTestConsoles();

const ATTRIBUTE_BREAKOUT = `x"><img src=x onerror="window.__pwned=1"><a href='javascript:window.__pwned=1'>`;
const PATH_LOOKALIKE = "../../controls/kill?agent=&reason=pwned#frag %2F%00;";
const ids = [ATTRIBUTE_BREAKOUT, PATH_LOOKALIKE];

/** A CSS attribute selector for an exact value (JSON's string escapes are CSS's for these characters). */
const rowOf = (thread: string) => `tr[data-testid="run-row"][data-thread=${JSON.stringify(thread)}]`;
const approvalOf = (thread: string) => `[data-testid="approval"][data-thread=${JSON.stringify(thread)}]`;

describe("thread ids chosen by whoever starts a run", () => {
  it(
    "show as inert text, link to their own run page, and decide only their own run",
    async () => {
      const ledger = new PaymentsLedger();
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow(ledger)] });
      const context = await browser().newContext();
      const page = await context.newPage();
      await page.goto(`${fixture.url}/runs`);
      for (const id of ids) await startLargeRefund(fixture, id);

      for (const id of ids) await page.locator(rowOf(id)).waitFor({ timeout: LIVE_MS });
      expect(await injectionEvidence(page)).toMatchObject({
        pwned: undefined,
        images: 0,
        javascriptLinks: 0,
      });

      // Each row's link opens that run's page, not another path of the console.
      for (const id of ids) {
        await page.goto(`${fixture.url}/runs`);
        await page
          .locator(`${rowOf(id)} a`)
          .first()
          .click();
        await page.locator('[data-testid="run-status"]').first().waitFor({ timeout: LIVE_MS });
        expect(await page.locator("body").textContent()).toContain(id);
        expect(await page.locator('[data-testid="run-status"]').first().textContent()).toContain("waiting");
        expect(await injectionEvidence(page)).toMatchObject({
          pwned: undefined,
          images: 0,
          javascriptLinks: 0,
        });
      }
      expect(await fixture.runtime.killSwitches()).toEqual([]);

      // The inbox lists both; approving the path lookalike decides that run and nothing else.
      await page.goto(`${fixture.url}/approvals`);
      for (const id of ids) await page.locator(approvalOf(id)).waitFor({ timeout: LIVE_MS });
      expect(await injectionEvidence(page)).toMatchObject({ pwned: undefined, images: 0, approveButtons: 2 });
      const approval = page.locator(approvalOf(PATH_LOOKALIKE));
      await approval.locator('textarea[name="reason"]').fill("odd id, real refund");
      await approval.locator('button[data-testid="approve"]').click();
      expect((await flashAfterPost(page)).kind).toContain("ok");
      await pollFor(
        "the lookalike run to complete",
        () => storedStatus(fixture, PATH_LOOKALIKE),
        "completed",
      );
      expect(await storedStatus(fixture, ATTRIBUTE_BREAKOUT)).toBe("waiting");
      expect(await fixture.runtime.killSwitches()).toEqual([]);
      expect(ledger.refunds).toHaveLength(1);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
