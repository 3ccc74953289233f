import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime } from "@governor/core";
import { pollUntil } from "@governor/testing-services";
import { afterEach, describe, expect, test } from "vitest";
import { runCase } from "./support/console-store.js";

/** The real CLI: it runs the built dist (`npx tsc -b apps/cli` first). */
const BIN = fileURLToPath(new URL("../../../apps/cli/bin/governor.js", import.meta.url));
const SLOW = 240_000;

interface Spawned {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exit: Promise<number | null>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "governor-console-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function governor(args: string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: "1", GOVERNOR_CONSOLE_SECRET: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk) => (out += chunk));
  child.stderr?.on("data", (chunk) => (err += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
  return { child, out: () => out, err: () => err, exit };
}

describe("governor console (the real binary)", () => {
  test(
    "serves the store's runs on the port it prints, and SIGTERM stops it with exit 0",
    async () => {
      const dir = tempDir();
      const runtime = new GovernorRuntime({ dir });
      const waiting = await runCase(runtime, "large-refund");
      await runtime.close();
      const cli = governor(["console", "--port", "0", "--dir", dir, "--approver", "supervisor:sam"]);
      await pollUntil(
        "governor console",
        () => /Governor console on http:\/\/127\.0\.0\.1:\d+ \(store /.test(cli.out()),
        120_000,
        () => (cli.child.exitCode !== null ? `exited ${cli.child.exitCode}: ${cli.err()}` : undefined),
      );
      const url = /Governor console on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())?.[1];
      expect(cli.out()).toContain(`(store ${dir})`);
      const runs = await (await fetch(`${url}/runs`)).text();
      expect(runs).toContain(`data-thread="${waiting.threadId}"`);
      const graphs = await (await fetch(`${url}/graphs`)).text();
      expect(graphs).toContain('data-workflow="refund"');
      const run = await (await fetch(`${url}/runs/${waiting.threadId}`)).text();
      expect(run).toMatch(/data-current="true"/);
      cli.child.kill("SIGTERM");
      expect(await cli.exit).toBe(0);
      expect(cli.out()).toContain("console stopped");
    },
    SLOW,
  );

  test(
    "refuses bad flags before opening a store, each with exit 1 and a message naming the flag",
    async () => {
      const cases: [string[], RegExp][] = [
        [["--host", "0.0.0.0"], /0\.0\.0\.0.*not a loopback address.*--allow-remote/],
        [
          ["--host", "0.0.0.0", "--allow-remote"],
          /--allow-remote needs approver tokens: set GOVERNOR_CONSOLE_SECRET/,
        ],
        [["--port", "http"], /--port "http" must be a port number/],
        [["--port", "70000"], /--port "70000"/],
        [["--host", ""], /--host is empty/],
        [["--approver", ""], /--approver/],
      ];
      for (const [args, message] of cases) {
        const dir = join(tempDir(), "store");
        const cli = governor(["console", "--dir", dir, ...args]);
        expect(await cli.exit, args.join(" ")).toBe(1);
        expect(cli.err(), args.join(" ")).toMatch(message);
        expect(existsSync(dir), `${args.join(" ")} created a store`).toBe(false);
      }
    },
    SLOW,
  );

  test(
    "a port in use is an error naming it",
    async () => {
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
      const port = (holder.address() as { port: number }).port;
      try {
        const cli = governor(["console", "--port", String(port), "--dir", tempDir()]);
        expect(await cli.exit).toBe(1);
        expect(cli.err()).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`));
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    },
    SLOW,
  );
});
