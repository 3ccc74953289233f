import { PaymentsLedger } from "@governor/sample-refund";
import { describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, flashAfterPost, LIVE_MS, pollFor, useChromium } from "../fixtures/browser.js";
import {
  auditCount,
  pendingRequest,
  refundConsoleWorkflow,
  startLargeRefund,
  storedStatus,
  useTestConsoles,
} from "../fixtures/console-harness.js";

// The supervisor's path through the console, in a real browser: a $1,200 refund started by
// another process shows up live, waits in the inbox with what exactly would happen, is
// approved with a reason, completes, and the audit names who approved it and why.
const browser = useChromium();
const startConsole = useTestConsoles();

describe("a supervisor approves the $1,200 refund in the console", () => {
  it(
    "the run appears live, is approved from the inbox, completes, and the audit shows the approver and reason",
    async () => {
      const ledger = new PaymentsLedger();
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow(ledger)] });
      const context = await browser().newContext();
      const page = await context.newPage();

      // The list is open before the run exists; a marker on the document proves no reload.
      await page.goto(`${fixture.url}/runs`);
      await page.evaluate(() => {
        (window as unknown as { __marker: string }).__marker = "same-document";
      });
      const thread = await startLargeRefund(fixture);
      const row = page.locator(`tr[data-testid="run-row"][data-thread="${thread}"]`);
      await row.waitFor({ timeout: LIVE_MS });
      await expect
        .poll(() => row.locator('[data-testid="run-status"]').textContent(), { timeout: LIVE_MS })
        .toContain("waiting");
      expect(await row.locator('[data-testid="run-workflow"]').textContent()).toContain("refund");
      // The count above the list follows the row that arrived (the list was empty).
      expect(await page.locator('[data-testid="run-count"]').textContent()).toMatch(/^1 run\(s\)/);
      await page.screenshot({ path: "/tmp/console-runs.png", fullPage: true });
      expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe(
        "same-document",
      );

      // The inbox shows exactly what would happen, bound to the stored request.
      const pending = await pendingRequest(fixture, thread);
      await page.goto(`${fixture.url}/approvals`);
      const approval = page.locator(
        `[data-testid="approval"][data-thread="${thread}"][data-request="${pending.requestId}"]`,
      );
      await approval.waitFor({ timeout: LIVE_MS });
      expect(await approval.locator('[data-testid="approval-tool"]').textContent()).toContain("issue_refund");
      const args = await approval.locator('[data-testid="approval-args"]').textContent();
      expect(args).toContain("A-1002");
      expect(args).toMatch(/1,?200/);
      expect(await approval.locator('[data-testid="approval-reasons"]').textContent()).not.toBe("");
      expect(await approval.locator('[data-testid="approval-policies"]').textContent()).toContain(
        pending.policyIds[0] ?? "(no policy id)",
      );
      expect(await approval.locator('[data-testid="approval-call-hash"]').textContent()).toContain(
        pending.callHash,
      );
      expect(await approval.locator('[data-testid="approval-approvers"]').textContent()).toContain(
        "supervisor:sam",
      );
      expect(await approval.locator('input[name="callHash"]').inputValue()).toBe(pending.callHash);
      await page.screenshot({ path: "/tmp/console-inbox.png", fullPage: true });

      const reason = "Carrier confirmed the laptop was lost in transit";
      await approval.locator('textarea[name="reason"]').fill(reason);
      const approver = approval.locator('select[name="approver"]');
      if (await approver.count()) await approver.selectOption("supervisor:sam");
      await approval.locator('button[data-testid="approve"]').click();
      expect((await flashAfterPost(page)).kind).toContain("ok");

      await pollFor("the approved run to complete", () => storedStatus(fixture, thread), "completed");
      expect(ledger.refunds).toHaveLength(1);
      expect(ledger.refunds[0]?.amount).toBe(1200);

      await page.goto(`${fixture.url}/runs/${thread}`);
      expect(await page.locator('[data-testid="run-status"]').first().textContent()).toContain("completed");
      expect(await page.locator('[data-testid="timeline-entry"]').count()).toBeGreaterThan(3);
      expect(await page.locator('[data-testid="run-usage"]').textContent()).not.toBe("");
      await page.screenshot({ path: "/tmp/console-run.png", fullPage: true });

      await page.goto(`${fixture.url}/audit/${thread}`);
      const approved = page.locator('[data-testid="audit-record"]', { hasText: "approved" });
      await approved.first().waitFor({ timeout: LIVE_MS });
      const approvedText = await approved.first().textContent();
      expect(approvedText).toContain("supervisor:sam");
      expect(approvedText).toContain(reason);
      expect(await auditCount(fixture, thread, "approval", "approved")).toBe(1);
      await page.screenshot({ path: "/tmp/console-audit.png", fullPage: true });
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
