import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Runs support/memory-batch-child.ts in a real process (tsx, every Governor package from
 * source) and lets a test act on its output lines: kill it at a line, or wait for its end.
 * No sleeps: everything waits for a line or an exit, within a generous deadline.
 */

const root = fileURLToPath(new URL("../../..", import.meta.url));
const childScript = fileURLToPath(new URL("./memory-batch-child.ts", import.meta.url));
const source = (entry: string) => path.join(root, entry);
const paths = {
  "@governor/errors": [source("packages/errors/src/index.ts")],
  "@governor/identity": [source("packages/identity/src/index.ts")],
  "@governor/observability": [source("packages/observability/src/index.ts")],
  "@governor/models/testing": [source("packages/models/src/testing.ts")],
  "@governor/models": [source("packages/models/src/index.ts")],
  "@governor/memory": [source("packages/memory/src/index.ts")],
};

export function memoryDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-memory-red-team-"));
  fs.writeFileSync(
    path.join(dir, "tsconfig.child.json"),
    JSON.stringify({ compilerOptions: { module: "NodeNext", paths } }),
  );
  return dir;
}

export interface MemoryChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line matching `match` (rejects when the process ends first). */
  line(match: (line: string) => boolean): Promise<string>;
  /** Resolves when the process has ended, with its exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const DEADLINE_MS = 100_000;

export function startChild(dir: string, mode: string, arg: string): MemoryChild {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, dir, mode, arg], {
    cwd: root,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: path.join(dir, "tsconfig.child.json"),
      // @governor/memory may load Mem0: it must never reach the network nor write under $HOME.
      MEM0_TELEMETRY: "false",
      MEM0_DIR: path.join(dir, "mem0"),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let err = "";
  let rest = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    rest += chunk.toString("utf8");
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const deadline = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS * 2);
  deadline.unref();
  void exited.then(() => clearTimeout(deadline));
  return {
    process: child,
    lines,
    stderr: () => err,
    exited,
    line(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching line within ${DEADLINE_MS} ms; stdout: ${lines.join(" | ")}; stderr: ${err}`,
              ),
            ),
          DEADLINE_MS,
        );
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(
              `the child ended (code ${code}, signal ${signal}) before the line; stdout: ${lines.join(" | ")}; stderr: ${err}`,
            ),
          );
        });
      });
    },
  };
}

/** Starts a child, waits for the line `match` accepts, SIGKILLs it there and waits for it to be gone. */
export async function killAt(dir: string, mode: string, arg: string, match: (line: string) => boolean) {
  const child = startChild(dir, mode, arg);
  let seen: string;
  try {
    seen = await child.line(match);
  } finally {
    child.process.kill("SIGKILL");
  }
  const end = await child.exited;
  return { seen, ...end, lines: child.lines };
}
