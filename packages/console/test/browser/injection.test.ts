import { createServer, type Server } from "node:http";
import type { ConsoleWorkflow } from "@governor/console";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  BROWSER_TEST_MS,
  flashAfterPost,
  injectionEvidence,
  inlineScriptOutcome,
  LIVE_MS,
  pollFor,
  useChromium,
} from "../fixtures/browser.js";
import { storedStatus, useTestConsoles } from "../fixtures/console-harness.js";
import { createInjectionSample, INJECTION, PAYLOADS } from "../fixtures/injection.js";

// Model replies and tool results are attacker-controlled text. Here a model, a CRM and a
// payments system all answer with markup (a script, an <img onerror>, a javascript: link and
// a lookalike Approve button), the run stops in the inbox and is approved with a reason that
// carries the same markup, and every page that shows any of it must show it as text.
const browser = useChromium();
const startConsole = useTestConsoles();
let rawServer: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (rawServer ? rawServer.close(() => resolve()) : resolve()));
  rawServer = undefined;
});

const inert = { pwned: undefined, images: 0, javascriptLinks: 0, eventHandlers: 0 };

/** Evidence on a console page, with no Approve button unless the page is the inbox. */
async function expectInert(page: Page, approveButtons = 0) {
  expect(await injectionEvidence(page)).toEqual({ ...inert, approveButtons });
}

describe("attacker markup in model output and tool results renders as inert text", () => {
  it(
    "on the run page (live and reloaded), the inbox, the runs list and the audit, and the CSP blocks inline script",
    async () => {
      const sample = createInjectionSample();
      const injection: ConsoleWorkflow = {
        name: "refund",
        source: "workflow:injection",
        workflow: sample.workflow,
        options: { model: sample.model },
      };
      const fixture = await startConsole({ workflows: [injection] });
      const outcome = await fixture
        .otherRuntime()
        .start(sample.workflow, sample.input, { model: sample.model, source: injection.source });
      expect(outcome.status).toBe("waiting");
      const thread = outcome.threadId;
      const context = await browser().newContext();

      // The run page stays open while the run is decided: entries that arrive live are inert too.
      const runPage = await context.newPage();
      const response = await runPage.goto(`${fixture.url}/runs/${thread}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      await runPage.locator('[data-testid="timeline-entry"]').first().waitFor({ timeout: LIVE_MS });
      expect(await runPage.locator("body").textContent()).toContain("window.__pwned=1");
      await expectInert(runPage);

      // Exactly one real Approve button for the one real request; the lookalike is text.
      const inbox = await context.newPage();
      await inbox.goto(`${fixture.url}/approvals`);
      const approval = inbox.locator(`[data-testid="approval"][data-thread="${thread}"]`);
      await approval.waitFor({ timeout: LIVE_MS });
      expect(await approval.textContent()).toContain(PAYLOADS.button);
      await expectInert(inbox, 1);
      await inbox.screenshot({ path: "/tmp/console-injection-inbox.png", fullPage: true });

      await approval.locator('textarea[name="reason"]').fill(`approved ${INJECTION}`);
      const approver = approval.locator('select[name="approver"]');
      if (await approver.count()) await approver.selectOption("supervisor:sam");
      await approval.locator('button[data-testid="approve"]').click();
      expect((await flashAfterPost(inbox)).kind).toContain("ok");
      await pollFor("the approved run to complete", () => storedStatus(fixture, thread), "completed");
      expect(sample.ledger.refunds).toHaveLength(1);
      await expectInert(inbox);

      // The still-open run page learns the end live (tool result and reply carry the payloads).
      await expect
        .poll(() => runPage.locator('[data-testid="run-status"]').first().textContent(), { timeout: LIVE_MS })
        .toContain("completed");
      await expectInert(runPage);
      await runPage.reload();
      await expectInert(runPage);
      await runPage.screenshot({ path: "/tmp/console-injection-run.png", fullPage: true });

      for (const path of [`/audit/${thread}`, "/audit", "/runs", "/controls", "/graphs", "/graphs/refund"]) {
        await runPage.goto(`${fixture.url}${path}`);
        await expectInert(runPage);
      }
      await runPage.goto(`${fixture.url}/audit/${thread}`);
      expect(
        await runPage.locator('[data-testid="audit-record"]', { hasText: "approved" }).textContent(),
      ).toContain("window.__pwned=1");

      // A script the page itself adds inline is refused by the CSP, not merely absent.
      const blocked = await inlineScriptOutcome(runPage);
      expect(blocked).toEqual({ ran: undefined, violation: "script-src-elem" });
      await context.close();
    },
    BROWSER_TEST_MS,
  );

  it(
    "the evidence detectors see a page that renders the same payloads as HTML (so the test above can fail)",
    async () => {
      rawServer = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(`<!doctype html><body><p>${INJECTION}</p></body>`);
      });
      await new Promise<void>((resolve) => rawServer?.listen(0, "127.0.0.1", resolve));
      const address = rawServer.address();
      if (!address || typeof address === "string") throw new Error("no address");
      const context = await browser().newContext();
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${address.port}/`);
      await expect.poll(async () => (await injectionEvidence(page)).pwned, { timeout: LIVE_MS }).toBe(1);
      expect(await injectionEvidence(page)).toMatchObject({
        images: 1,
        javascriptLinks: 1,
        approveButtons: 1,
      });
      expect((await injectionEvidence(page)).eventHandlers).toBeGreaterThan(0);
      // Without a CSP the same inline script runs: the CSP check above can tell.
      expect(await inlineScriptOutcome(page)).toEqual({ ran: 1, violation: "none" });
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
