import type { ConsoleWorkflow } from "@governor/console";
import { describe, expect, test } from "vitest";
import { createInjectionSample, PAYLOADS } from "./fixtures/injection.js";
import { page } from "./support/console-requests.js";
import { refundWorkflow, useConsoleStore } from "./support/console-store.js";

const openStore = useConsoleStore();
const SLOW = 120_000;

/** Markup that would act if a page rendered it as HTML. */
const LIVE_MARKUP = [
  /<script(?![^>]*src="\/static\/console\.js")/i,
  /<img[^>]*src=x/i,
  /href\s*=\s*["']?\s*javascript:/i,
  /<[^>]*\sonerror\s*=/i,
  /<button data-testid="approve">Approve<\/button>/,
];

function expectInert(html: string, where: string) {
  for (const pattern of LIVE_MARKUP) expect(pattern.test(html), `${where}: ${pattern}`).toBe(false);
}

describe("text from models and tools renders as text, never as markup", () => {
  test(
    "a run whose model reply, tool arguments, tool result and CRM data carry <script>, <img onerror>, javascript: links and a lookalike Approve button",
    async () => {
      const injection = createInjectionSample();
      const injected: ConsoleWorkflow = {
        name: "refund",
        source: "module:injection",
        workflow: injection.workflow,
        options: { model: injection.model },
      };
      const store = openStore({ workflows: [refundWorkflow(), injected] });
      const waiting = await store.runtime.start(injection.workflow, injection.input, {
        model: injection.model,
        source: "module:injection",
      });
      expect(waiting.status).toBe("waiting");
      const request = waiting.approval;
      if (!request) throw new Error("the injected refund does not wait for an approval");
      const done = await store.runtime.decide(
        injection.workflow,
        waiting.threadId,
        {
          decision: "approve",
          approver: "supervisor:sam",
          reason: `fine ${PAYLOADS.button}`,
          requestId: request.requestId,
        },
        { model: injection.model },
      );
      expect(done.status).toBe("completed");
      // A second injected run stays waiting, for the inbox and the live list.
      const second = await store.runtime.start(injection.workflow, injection.input, {
        model: injection.model,
        source: "module:injection",
      });
      expect(second.status).toBe("waiting");

      const runPage = await page(store, `/runs/${waiting.threadId}`);
      expectInert(runPage, "run page");
      // The payloads are on the page, escaped: in the model's words, the tool's result and the customer's name.
      expect(runPage).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
      expect(runPage).toContain("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;");
      expect(runPage).toContain("&lt;a href=&quot;javascript:window.__pwned=1&quot;&gt;click&lt;/a&gt;");
      expect(runPage).toContain("&lt;button data-testid=&quot;approve&quot;&gt;Approve&lt;/button&gt;");
      expect(runPage).toMatch(/said: [^<]*&lt;script&gt;/);
      expect(runPage).toMatch(/result: [^<]*&lt;script&gt;/);

      const audit = await page(store, `/audit/${waiting.threadId}`);
      expectInert(audit, "audit page");
      expect(audit).toContain("fine &lt;button data-testid=&quot;approve&quot;&gt;Approve&lt;/button&gt;");

      expectInert(await page(store, "/runs"), "runs list");
      const inbox = await page(store, "/approvals");
      expect(inbox.match(/<button[^>]*data-testid="approve"/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(/<script(?![^>]*src="\/static\/console\.js")/i.test(inbox)).toBe(false);
      expect(/<img[^>]*src=x/i.test(inbox)).toBe(false);
      expect(/href\s*=\s*["']?\s*javascript:/i.test(inbox)).toBe(false);
    },
    SLOW,
  );
});
