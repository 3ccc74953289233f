import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime } from "@governor/core";
import { freePort, pollUntil } from "@governor/testing-services";
import { afterEach, describe, expect, it } from "vitest";
import { BROWSER_TEST_MS, flashAfterPost, LIVE_MS, pollFor, useChromium } from "../fixtures/browser.js";

// The console as a user starts it: the real `governor` binary (the build: `npx tsc -b apps/cli`
// first, as npm test does), `governor run` leaving the $1,200 refund waiting, then
// `governor console --port P --dir D` over the same store, driven in the browser.
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const bin = join(repoRoot, "apps/cli/bin/governor.js");
/** Loading the CLI, the samples and Cedar's wasm on a loaded machine takes tens of seconds. */
const COMMAND_MS = 120_000;

const browser = useChromium();
let dir: string | undefined;
let consoleProcess: ChildProcess | undefined;

afterEach(async () => {
  const child = consoleProcess;
  consoleProcess = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The environment a user's shell would give the CLI: offline, no colour, no inherited store. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: "1",
    CI: "true",
    GOVERNOR_APPROVER: "supervisor:sam",
  };
  delete env.OPENAI_API_KEY;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.GOVERNOR_DIR;
  return env;
}

describe("governor console (the real CLI)", () => {
  it(
    "serves the store a `governor run` left waiting; the refund is approved in the browser and completes",
    async () => {
      dir = mkdtempSync(join(tmpdir(), "governor-cli-console-"));
      const thread = "cli-console-large-refund";
      const run = spawnSync(
        process.execPath,
        [
          bin,
          "run",
          "refund",
          "--case",
          "large-refund",
          "--no-interactive",
          "--thread",
          thread,
          "--dir",
          dir,
        ],
        { cwd: repoRoot, env: cliEnv(), encoding: "utf8", timeout: COMMAND_MS },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

      const port = await freePort();
      const child = spawn(process.execPath, [bin, "console", "--port", String(port), "--dir", dir], {
        cwd: repoRoot,
        env: cliEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      consoleProcess = child;
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const url = `http://127.0.0.1:${port}`;
      await pollUntil(
        "governor console",
        async () => (await fetch(`${url}/runs`)).status === 200,
        COMMAND_MS,
        () => (child.exitCode !== null ? `exited ${child.exitCode}: ${output}` : undefined),
      );

      const context = await browser().newContext();
      const page = await context.newPage();
      await page.goto(`${url}/runs`);
      await page.locator(`tr[data-testid="run-row"][data-thread="${thread}"]`).waitFor({ timeout: LIVE_MS });
      await page.goto(`${url}/approvals`);
      const approval = page.locator(`[data-testid="approval"][data-thread="${thread}"]`);
      await approval.waitFor({ timeout: LIVE_MS });
      await approval.locator('textarea[name="reason"]').fill("approved from the CLI's console");
      const approver = approval.locator('select[name="approver"]');
      if (await approver.count()) await approver.selectOption("supervisor:sam");
      await approval.locator('button[data-testid="approve"]').click();
      expect((await flashAfterPost(page)).kind).toContain("ok");

      // The store itself says so, read by another process's runtime, as `governor runs` would.
      const reader = new GovernorRuntime({ dir });
      try {
        await pollFor(
          "the approved run to complete",
          async () => (await reader.getRun(thread)).status,
          "completed",
        );
        const decisions = (await reader.store.audit.list(thread)).filter(
          (record) => record.kind === "approval" && record.outcome === "approved",
        );
        expect(decisions.map((record) => record.data.approver)).toEqual(["supervisor:sam"]);
      } finally {
        await reader.close();
      }
      await page.goto(`${url}/runs/${thread}`);
      expect(await page.locator('[data-testid="run-status"]').first().textContent()).toContain("completed");
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
