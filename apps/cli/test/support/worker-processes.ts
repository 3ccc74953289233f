import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pollUntil } from "@governor/testing-services";
import { repoRoot } from "./governor-bin.js";

/**
 * Long-running worker processes for the queue tests: the real `governor worker` (the build,
 * as a user runs it) and support/crash-worker.ts (the library's startWorker on a store with
 * crash hooks, loaded from source). Every process a test starts is tracked and ended by it.
 */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  out(): string;
  err(): string;
  /** Resolves once the process printed its ready line. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * The exit, or an error with what the process printed when it has not exited within
   * `timeoutMs` (a drain that hangs fails the test with its reason instead of the test's timeout).
   */
  exitedWithin(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stdout has a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  signal(signal: NodeJS.Signals): void;
}

/** How long a worker may take to start: loading the CLI and Cedar's wasm on a loaded host is slow, not wrong. */
export const WORKER_START_MS = 120_000;

/** How long a signalled worker may take to exit: a drain finishes its active runs first. */
export const WORKER_EXIT_MS = 90_000;

const started: WorkerProcess[] = [];

function track(child: ChildProcess, readyLine: RegExp): WorkerProcess {
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let ended: string | undefined;
  void exited.then(({ code, signal }) => {
    ended = `exited (${signal ?? code})`;
  });
  const waitFor = (pattern: RegExp, timeoutMs = WORKER_START_MS) =>
    pollUntil(
      `a line matching ${pattern} from worker ${child.pid}`,
      () => pattern.test(out),
      timeoutMs,
      () => (ended ? `${ended}\nstdout:\n${out}\nstderr:\n${err}` : undefined),
    );
  const handle: WorkerProcess = {
    child,
    pid: child.pid ?? -1,
    out: () => out,
    err: () => err,
    ready: (timeoutMs) => waitFor(readyLine, timeoutMs),
    exited,
    exitedWithin: async (timeoutMs = WORKER_EXIT_MS) => {
      await pollUntil(`worker ${child.pid} exiting`, () => ended !== undefined, timeoutMs).catch(
        (error: Error) => {
          throw new Error(`${error.message}\nstdout:\n${out.slice(-4_000)}\nstderr:\n${err.slice(-4_000)}`);
        },
      );
      return exited;
    },
    waitFor,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  started.push(handle);
  return handle;
}

/** `governor worker ARGS` (the build) with `env` over the test's environment; offline models. */
export function governorWorker(args: readonly string[], env: Record<string, string>): WorkerProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true", ...env };
  delete childEnv.OPENAI_API_KEY;
  const child = spawn(process.execPath, [join(repoRoot, "apps/cli/bin/governor.js"), "worker", ...args], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return track(child, /governor worker ready/);
}

/**
 * support/crash-worker.ts with `env` (CRASH_AT, HOLD_AT…): the library's worker on the store
 * in `dir`, loading every Governor package from source through tsx.
 */
export function crashWorker(dir: string, env: Record<string, string>): WorkerProcess {
  const source = (entry: string) => [join(repoRoot, entry)];
  const paths = {
    "@governor/core": source("packages/core/src/index.ts"),
    "@governor/errors": source("packages/errors/src/index.ts"),
    "@governor/identity": source("packages/identity/src/index.ts"),
    "@governor/policy": source("packages/policy/src/index.ts"),
    "@governor/observability": source("packages/observability/src/index.ts"),
    "@governor/models/testing": source("packages/models/src/testing.ts"),
    "@governor/models": source("packages/models/src/index.ts"),
    "@governor/memory": source("packages/memory/src/index.ts"),
    "@governor/workers": source("packages/workers/src/index.ts"),
    "@governor/store-postgres": source("packages/store-postgres/src/index.ts"),
    "@governor/sample-refund": source("graphs/refund/src/index.ts"),
  };
  const tsconfig = join(dir, `tsconfig.crash-worker-${started.length}.json`);
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { module: "NodeNext", paths } }));
  const script = join(repoRoot, "apps/cli/test/support/crash-worker.ts");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: tsconfig, ...env };
  delete childEnv.OPENAI_API_KEY;
  const child = spawn(process.execPath, ["--import", "tsx", script, dir], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return track(child, /crash worker ready/);
}

/** Ends every worker this test file started that still runs (SIGKILL: the tests are over). */
export async function endWorkers(): Promise<void> {
  for (const worker of started.splice(0)) {
    worker.signal("SIGKILL");
    await worker.exited;
  }
}
