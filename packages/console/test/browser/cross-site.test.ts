import { createServer, type Server } from "node:http";
import { PaymentsLedger } from "@governor/sample-refund";
import type { Page, Request, Response } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, flashAfterPost, LIVE_MS, pollFor, useChromium } from "../fixtures/browser.js";
import {
  auditCount,
  pendingRequest,
  refundConsoleWorkflow,
  startLargeRefund,
  storedStatus,
  useTestConsoles,
} from "../fixtures/console-harness.js";

// A page on another origin (another port of the same machine: same SITE, so the console's
// SameSite=Strict cookie still goes along) tries to kill the agents and approve the $1,200
// refund in the supervisor's browser: auto-submitted forms, with and without a CSRF token
// leaked from the console, and no-cors fetches. Nothing may happen, and the console says 403.
const browser = useChromium();
const startConsole = useTestConsoles();
let attacker: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  attacker = undefined;
});

/** Serves `pages[path]` as HTML from another port (no CSP: the attacker's page may run anything). */
async function startAttacker(pages: Record<string, string>): Promise<string> {
  attacker = createServer((request, response) => {
    const page = pages[request.url ?? ""];
    response.writeHead(page ? 200 : 404, { "content-type": "text/html" });
    response.end(page ?? "not found");
  });
  await new Promise<void>((resolve) => attacker?.listen(0, "127.0.0.1", resolve));
  const address = attacker.address();
  if (!address || typeof address === "string") throw new Error("attacker server has no port");
  return `http://127.0.0.1:${address.port}`;
}

const field = (name: string, value: string) =>
  `<input type="hidden" name="${name}" value="${value.replace(/"/g, "&quot;")}">`;

/** A page that submits a form to `action` as soon as it loads. */
function autoSubmit(action: string, fields: Record<string, string>): string {
  return `<!doctype html><body><form method="post" action="${action}">${Object.entries(fields)
    .map(([name, value]) => field(name, value))
    .join("")}</form><script>document.forms[0].submit()</script></body>`;
}

/**
 * The same auto-submitting form from a page that sends no referrer, or from a sandboxed
 * frame: either way the browser sends `Origin: null`, which the console's own pages also send
 * (it serves Referrer-Policy: no-referrer), so only Sec-Fetch-Site can tell them apart.
 */
function nullOrigin(how: "no-referrer" | "sandbox", action: string, fields: Record<string, string>): string {
  if (how === "no-referrer")
    return autoSubmit(action, fields).replace(
      "<body>",
      '<head><meta name="referrer" content="no-referrer"></head><body>',
    );
  const frame = autoSubmit(action, fields).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<!doctype html><body><iframe sandbox="allow-forms allow-scripts" srcdoc="${frame}"></iframe></body>`;
}

/** A page that POSTs each `{url, body}` with fetch mode no-cors (an opaque, fire-and-forget request). */
function noCorsFetches(requests: { url: string; body: Record<string, string> }[]): string {
  return `<!doctype html><body><script>
    window.done = Promise.all(${JSON.stringify(requests)}.map(({ url, body }) =>
      fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body: new URLSearchParams(body) })
        .then(() => "sent", (error) => String(error))));
  </script></body>`;
}

/**
 * Opens the attacker's page and waits until the console has refused `refusals` more POSTs
 * (the console audits each refused kill or decision: the server's own word that it answered
 * 403). Returns what the browser saw of each POST: the status, or the error where the browser
 * withheld or dropped the answer (the console's Cross-Origin-Resource-Policy blocks a no-cors
 * read; frame-ancestors 'none' a framed answer; a navigation may be aborted once sent).
 */
async function attack(
  page: Page,
  consoleUrl: string,
  attackerPage: string,
  refusals: { count: () => Promise<number>; expected: number },
) {
  const seen = new Map<Request, string[]>();
  const note = (request: Request, what: string) => {
    if (!request.url().startsWith(consoleUrl) || request.method() !== "POST") return;
    seen.set(request, [...(seen.get(request) ?? []), what]);
  };
  const answered = (response: Response) => note(response.request(), String(response.status()));
  const failed = (request: Request) => note(request, request.failure()?.errorText ?? "failed");
  const before = await refusals.count();
  page.on("response", answered);
  page.on("requestfailed", failed);
  try {
    await page.goto(attackerPage);
    await pollFor(`refusals of the POSTs from ${attackerPage}`, refusals.count, before + refusals.expected);
  } finally {
    page.off("response", answered);
    page.off("requestfailed", failed);
  }
  return [...seen.values()].map((outcomes) => outcomes.join(" then "));
}

describe("another origin cannot kill agents or decide approvals through the console", () => {
  it(
    "auto-submitted forms (with and without a leaked CSRF token) and no-cors fetches are refused with 403, nothing changes, and the refusals are audited",
    async () => {
      const ledger = new PaymentsLedger();
      const fixture = await startConsole({ workflows: [refundConsoleWorkflow(ledger)] });
      const thread = await startLargeRefund(fixture);
      const pending = await pendingRequest(fixture, thread);
      const context = await browser().newContext();
      const page = await context.newPage();

      // The supervisor has the console open (so the browser holds its CSRF cookie), and the
      // attacker somehow knows the token of this browser's form: only the origin check is left.
      await page.goto(`${fixture.url}/controls`);
      const leaked = await page.locator('form[data-testid="kill-form"] input[name="csrf"]').inputValue();
      expect(leaked).not.toBe("");

      const kill = { reason: "attacker", agent: "" };
      const decide = {
        decision: "approve",
        requestId: pending.requestId,
        callHash: pending.callHash,
        approver: "supervisor:sam",
        reason: "attacker",
      };
      const killUrl = `${fixture.url}/controls/kill`;
      const decideUrl = `${fixture.url}/approvals/${thread}/decide`;
      const site = await startAttacker({
        "/kill": autoSubmit(killUrl, kill),
        "/kill-leaked": autoSubmit(killUrl, { ...kill, csrf: leaked }),
        "/decide": autoSubmit(decideUrl, decide),
        "/decide-leaked": autoSubmit(decideUrl, { ...decide, csrf: leaked }),
        "/kill-no-referrer": nullOrigin("no-referrer", killUrl, { ...kill, csrf: leaked }),
        "/decide-no-referrer": nullOrigin("no-referrer", decideUrl, { ...decide, csrf: leaked }),
        "/decide-sandboxed": nullOrigin("sandbox", decideUrl, { ...decide, csrf: leaked }),
        "/fetch": noCorsFetches([
          { url: killUrl, body: { ...kill, csrf: leaked } },
          { url: decideUrl, body: { ...decide, csrf: leaked } },
        ]),
      });

      const refused = {
        count: async () =>
          (await auditCount(fixture, "governor:kill-switch", "kill", "refused")) +
          (await auditCount(fixture, thread, "approval", "refused")),
      };
      const formAttacks = ["/kill", "/kill-leaked", "/decide", "/decide-leaked"];
      const nullOriginAttacks = ["/kill-no-referrer", "/decide-no-referrer", "/decide-sandboxed"];
      for (const path of [...formAttacks, ...nullOriginAttacks]) {
        const outcomes = await attack(page, fixture.url, `${site}${path}`, { ...refused, expected: 1 });
        for (const outcome of outcomes) expect(outcome, path).toMatch(/^(403\b|net::ERR_)/);
      }
      // The attacker's fetches reach the console and are refused; their page never sees an answer.
      const fetched = await attack(page, fixture.url, `${site}/fetch`, { ...refused, expected: 2 });
      for (const outcome of fetched) expect(outcome).toMatch(/^(403\b|net::ERR_)/);

      // Nothing happened: no switch, the run still waits, no decision, no refund.
      expect(await fixture.runtime.killSwitches()).toEqual([]);
      expect(await storedStatus(fixture, thread)).toBe("waiting");
      expect(await auditCount(fixture, thread, "approval", "approved")).toBe(0);
      expect(ledger.refunds).toHaveLength(0);
      // Each refused attempt is in the journal where the decisions are.
      expect(await auditCount(fixture, "governor:kill-switch", "kill", "refused")).toBe(4);
      expect(await auditCount(fixture, thread, "approval", "refused")).toBe(5);

      // The same kill from the console's own page works: the refusals above were the origin's doing.
      await page.goto(`${fixture.url}/controls`);
      const form = page.locator('form[data-testid="kill-form"]');
      await form.locator('input[name="reason"]').fill("drill: the console's own form");
      await form.locator('button[data-testid="kill"]').click();
      expect((await flashAfterPost(page)).kind).toContain("ok");
      await expect
        .poll(async () => (await fixture.runtime.killSwitches())?.length, { timeout: LIVE_MS })
        .toBe(1);
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
