import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./operator-child.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** Per-test timeout for a test that spawns the operator: tsx and the core load slowly on a busy machine. */
export const OPERATOR_TEST_MS = 180_000;

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
