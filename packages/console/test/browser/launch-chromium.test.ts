import { existsSync } from "node:fs";
import { chromiumPath, launchChromium } from "@governor/testing-services";
import { afterEach, describe, expect, it } from "vitest";
import { BROWSER_TEST_MS } from "../fixtures/browser.js";

// The harness every browser test stands on: the system Chromium, never a download, and a
// profile that does not outlive the browser.
const savedPath = process.env.CHROMIUM_PATH;

afterEach(() => {
  if (savedPath === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = savedPath;
});

describe("launchChromium", () => {
  it("names the missing browser and how to install it, whether CHROMIUM_PATH or the argument is wrong", async () => {
    process.env.CHROMIUM_PATH = "/nonexistent/chromium";
    await expect(launchChromium()).rejects.toThrow(
      "Chromium not found at /nonexistent/chromium: install Debian's chromium (.ci/run does)",
    );
    delete process.env.CHROMIUM_PATH;
    expect(() => chromiumPath("/also/missing")).toThrow("Chromium not found at /also/missing");
    // A directory exists but is no browser: launching it fails, never falls back to a download.
    await expect(launchChromium({ executablePath: "/tmp" })).rejects.toThrow();
  });

  it(
    "starts the system Chromium headless with a fresh profile that is removed on close",
    async () => {
      const browser = await launchChromium();
      const other = await launchChromium();
      let profile = "";
      try {
        const page = await browser.newPage();
        await page.goto("chrome://version");
        const body = (await page.locator("body").textContent()) ?? "";
        expect(body).toContain("--headless");
        expect(body).toContain("--disable-quic");
        profile = (await page.locator("#profile_path").textContent())?.trim() ?? "";
        expect(profile).not.toBe("");
        expect(existsSync(profile)).toBe(true);
        // A second browser gets a profile of its own: nothing carries over between tests.
        const otherPage = await other.newPage();
        await otherPage.goto("chrome://version");
        expect((await otherPage.locator("#profile_path").textContent())?.trim()).not.toBe(profile);
      } finally {
        // Closed whatever failed above, so a failing run leaves no browser or profile behind.
        await other.close();
        await browser.close();
      }
      expect(existsSync(profile)).toBe(false);
    },
    BROWSER_TEST_MS,
  );
});
