import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./operator-child.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** Per-test timeout for a test that spawns these processes: tsx and the core load slowly on a busy machine. */
export const ANOTHER_PROCESS_TEST_MS = 180_000;

/**
 * Flips a kill switch on the store in `dir` from a separate Node process (support/operator-child.ts),
 * as `governor kill` would, and waits for it to exit. Synchronous, so a test can call it from
 * inside a node or a tool handler of the run it means to stop.
 *
 * @throws {Error} when the child fails or does not finish within two minutes.
 */
export function operatorInAnotherProcess(
  dir: string,
  command: "kill" | "unkill",
  options: { reason?: string; agent?: string } = {},
): { scope: string; reason?: string; by?: string }[] {
  const args = [dir, command, options.reason ?? "", ...(options.agent ? [options.agent] : [])];
  const result = spawnSync(process.execPath, ["--import", "tsx", child, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `the operator process failed (${result.error?.message ?? result.status}):\n${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "[]");
}

const spendChild = fileURLToPath(new URL("./daily-spend-child.ts", import.meta.url));

/** What a run started in another process came to: a status, or the code of the error that refused it. */
export interface ChildRun {
  readonly status?: string;
  readonly code?: string;
  readonly message?: string;
  /** Charges that process's billing desk made. */
  readonly charges: number;
}

/**
 * Starts one billing-desk run for `user` in a separate Node process on the store in `dir`,
 * with that process's clock at `at` (support/daily-spend-child.ts, against the build).
 *
 * @throws {Error} when the child crashes or does not finish within two minutes.
 */
export function runInAnotherProcess(dir: string, at: number, user: string, dailyBudgetUsd: number): ChildRun {
  const args = [dir, new Date(at).toISOString(), user, String(dailyBudgetUsd)];
  const result = spawnSync(process.execPath, ["--import", "tsx", spendChild, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `the run's process failed (${result.error?.message ?? result.status}):\n${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
}
