import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, LIVE_MS, useChromium } from "../fixtures/browser.js";
import { startLargeRefund, useTestConsoles } from "../fixtures/console-harness.js";

// No secret reaches a page: not the store's signing keys (in any of the encodings a careless
// page might print them), and not the CSRF cookie, which script on a page (an injected one
// included) cannot read because it is HttpOnly.
const browser = useChromium();
const startConsole = useTestConsoles();

/** Each `*.key` file of the store, as stored and in the other encodings of its bytes. */
function storeSecrets(dir: string): string[] {
  const keyDir = join(dir, "keys");
  return readdirSync(keyDir)
    .filter((name) => name.endsWith(".key"))
    .flatMap((name) => {
      const text = readFileSync(join(keyDir, name), "utf8").trim();
      const bytes = Buffer.from(text, "base64");
      return [text, bytes.toString("hex"), bytes.toString("base64url")].filter((form) => form.length >= 16);
    });
}

describe("secrets stay out of the console's pages", () => {
  it(
    "no page holds a store key, and page script cannot read the CSRF cookie",
    async () => {
      const fixture = await startConsole();
      const thread = await startLargeRefund(fixture);
      const secrets = storeSecrets(fixture.dir);
      expect(secrets.length).toBeGreaterThanOrEqual(2);
      const context = await browser().newContext();
      const page = await context.newPage();

      const paths = [
        "/runs",
        `/runs/${thread}`,
        "/approvals",
        "/audit",
        `/audit/${thread}`,
        "/controls",
        "/graphs",
        "/graphs/refund",
        "/static/console.js",
        "/static/console.css",
      ];
      for (const path of paths) {
        const response = await page.goto(`${fixture.url}${path}`);
        expect(response?.status(), path).toBe(200);
        const body = (await response?.text()) ?? "";
        for (const secret of secrets) expect(body.includes(secret), `${path} holds a store key`).toBe(false);
      }

      await page.goto(`${fixture.url}/approvals`);
      await page.locator('[data-testid="approval"]').first().waitFor({ timeout: LIVE_MS });
      expect(await page.evaluate(() => document.cookie)).toBe("");
      const cookies = await context.cookies(fixture.url);
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) {
        expect(cookie.httpOnly, cookie.name).toBe(true);
        expect(cookie.sameSite, cookie.name).toBe("Strict");
      }
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
