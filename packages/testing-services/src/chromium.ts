import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * Flags for a quiet, deterministic headless browser: no sandbox (CI containers run as root,
 * where Chromium's sandbox refuses to start), no GPU, and nothing that reaches the network
 * on its own (QUIC, component updates, sync, background fetches), so a test's only traffic is
 * the traffic it makes.
 */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface LaunchChromiumOptions {
  /** The browser binary; default `$CHROMIUM_PATH`, else /usr/bin/chromium, else `chromium` on PATH. */
  readonly executablePath?: string;
  /** How long the browser may take to start (ms). Default 120 s: a loaded machine is slow. */
  readonly timeoutMs?: number;
}

/**
 * Finds the system browser. Never a downloaded one: Playwright's download fails on this
 * project's machines, and the tests must drive the browser users of Debian actually get.
 *
 * @throws {Error} naming every place looked at when there is no browser there.
 */
export function chromiumPath(explicit?: string): string {
  const asked = explicit ?? process.env.CHROMIUM_PATH;
  if (asked !== undefined && asked !== "") {
    if (existsSync(asked)) return asked;
    throw new Error(`Chromium not found at ${asked}: install Debian's chromium (.ci/run does)`);
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const onPath = spawnSync("which", ["chromium"], { encoding: "utf8" }).stdout?.trim();
  if (onPath) return onPath;
  throw new Error(
    `Chromium not found at ${DEBIAN_CHROMIUM} or on PATH: install Debian's chromium (.ci/run does)`,
  );
}

/**
 * Starts a headless Chromium through playwright-core for browser tests. Each launch gets a
 * fresh, empty profile in a temp dir that `browser.close()` removes (Playwright creates it: it
 * refuses a `--user-data-dir` flag on `launch`), so no cookie or cache leaks between tests.
 *
 * @example
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 *   await page.goto(console.url);
 * } finally {
 *   await browser.close();
 * }
 * @throws {Error} when there is no Chromium to start (see {@link chromiumPath}).
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(options.executablePath),
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: options.timeoutMs ?? 120_000,
  });
}
