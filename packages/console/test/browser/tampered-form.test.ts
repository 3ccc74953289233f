import { PaymentsLedger } from "@governor/sample-refund";
import type { Page } from "playwright-core";
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

// The approve form's hidden fields are the browser's to change (devtools, an extension, a
// stale page). Whatever they say, a decision answers only the request the console shows, as
// an approver who may decide it: any other combination is refused, says so, and decides nothing.
const browser = useChromium();
const startConsole = useTestConsoles();

const approvalOf = (thread: string) => `[data-testid="approval"][data-thread="${thread}"]`;

/** One edit of the form before Approve is clicked: a field set (created if absent) or removed. */
interface Tamper {
  readonly name: string;
  /** null removes the field. */
  readonly value: string | null;
  /** Add the field again instead of replacing it (a repeated field). */
  readonly repeat?: boolean;
}

async function tamperAndApprove(page: Page, thread: string, tampers: readonly Tamper[]) {
  await page.locator(approvalOf(thread)).waitFor({ timeout: LIVE_MS });
  await page.evaluate(
    ({ selector, tampers }) => {
      const form = document.querySelector(`${selector} form`) as HTMLFormElement;
      for (const { name, value, repeat } of tampers) {
        const button = form.querySelector(
          `button[name="${name}"][value="approve"]`,
        ) as HTMLButtonElement | null;
        if (button && value !== null && !repeat) {
          button.value = value;
          continue;
        }
        if (!repeat)
          for (const field of form.querySelectorAll(`[name="${name}"]`)) if (field !== button) field.remove();
        if (value === null) continue;
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
    },
    { selector: approvalOf(thread), tampers },
  );
  await page.locator(`${approvalOf(thread)} textarea[name="reason"]`).fill("tampered");
  await page.locator(`${approvalOf(thread)} button[data-testid="approve"]`).click();
}

describe("a tampered approve form decides nothing", () => {
  it(
    "a changed call hash, another run's request id, an ineligible, empty or repeated approver, a repeated or unknown decision, a missing CSRF token",
    async () => {
      const ledger = new PaymentsLedger();
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow(ledger)] });
      const target = await startLargeRefund(fixture);
      const bystander = await startLargeRefund(fixture);
      const bystanderRequest = await pendingRequest(fixture, bystander);
      const context = await browser().newContext();
      const page = await context.newPage();

      const refusedWithFlash: Record<string, Tamper[]> = {
        "changed call hash": [{ name: "callHash", value: "0".repeat(64) }],
        "no call hash": [{ name: "callHash", value: null }],
        "another run's request id": [{ name: "requestId", value: bystanderRequest.requestId }],
        "another run's request and call hash": [
          { name: "requestId", value: bystanderRequest.requestId },
          { name: "callHash", value: bystanderRequest.callHash },
        ],
        "an approver without approvals:refunds": [{ name: "approver", value: "support:alex" }],
        "an approver nobody registered": [{ name: "approver", value: "root" }],
        "an empty approver": [{ name: "approver", value: "" }],
        "two approvers": [
          { name: "approver", value: "supervisor:sam" },
          { name: "approver", value: "support:alex", repeat: true },
        ],
        "an unknown decision": [{ name: "decision", value: "yes" }],
        "approve and reject at once": [{ name: "decision", value: "reject", repeat: true }],
      };
      for (const [what, tampers] of Object.entries(refusedWithFlash)) {
        await page.goto(`${fixture.url}/approvals`);
        await tamperAndApprove(page, target, tampers);
        const flash = await flashAfterPost(page);
        expect(flash.kind, `${what}: ${flash.text}`).toContain("error");
        expect(await storedStatus(fixture, target), what).toBe("waiting");
        expect(await storedStatus(fixture, bystander), what).toBe("waiting");
      }

      // Without its CSRF token the request guard refuses the POST before any route reads it.
      await page.goto(`${fixture.url}/approvals`);
      await tamperAndApprove(page, target, [{ name: "csrf", value: null }]);
      await expect(flashAfterPost(page)).rejects.toThrow(/CSRF/);

      for (const thread of [target, bystander]) {
        expect(await auditCount(fixture, thread, "approval", "approved"), thread).toBe(0);
        expect(await storedStatus(fixture, thread), thread).toBe("waiting");
      }
      expect(ledger.refunds).toHaveLength(0);

      // The untouched form still decides, and only its own run.
      await page.goto(`${fixture.url}/approvals`);
      await tamperAndApprove(page, target, []);
      expect((await flashAfterPost(page)).kind).toContain("ok");
      await pollFor(
        "the untampered approval to complete its run",
        () => storedStatus(fixture, target),
        "completed",
      );
      expect(await storedStatus(fixture, bystander)).toBe("waiting");
      expect(ledger.refunds).toHaveLength(1);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
