import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/**
 * How long one child step may take. Generous: the child loads tsx, the build and Cedar's wasm,
 * which on a loaded two-core machine has taken tens of seconds; a test's own timeout is larger.
 */
export const CHILD_STEP_MS = 150_000;
/** A test that spawns up to four child steps. */
export const CHILD_TEST_MS = 4 * CHILD_STEP_MS;

export interface ChildStep {
  readonly code: number | null;
  /** The run's outcome as the child printed it on its last line, when it got that far. */
  readonly outcome?: { status: string; error?: string; reason?: string };
  readonly stderr: string;
}

/**
 * Runs one step of the $1,200 refund (`start`, `approve` or `recover`) on the store in `dir`,
 * in its own Node process (support/crash-child.ts, against the build), and waits for it to end.
 */
export function refundStep(
  dir: string,
  command: "start" | "approve" | "recover",
  env: Record<string, string> = {},
  threadId = "crash-thread",
): ChildStep {
  const result = spawnSync(process.execPath, ["--import", "tsx", child, dir, command, threadId], {
    cwd: root,
    env: { ...process.env, ...env, OPENAI_API_KEY: "" },
    encoding: "utf8",
    timeout: CHILD_STEP_MS,
  });
  if (result.error)
    throw new Error(`the ${command} child did not finish: ${result.error.message}\n${result.stderr}`);
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  return {
    code: result.status,
    outcome: last.startsWith("{") ? JSON.parse(last) : undefined,
    stderr: result.stderr,
  };
}

/** The refunds the child processes really made: lines of the payments file in `dir`. */
export function paidRefunds(
  dir: string,
): { refundId: string; orderId: string; amount: number; idempotencyKey: string }[] {
  const file = join(dir, "payments.log");
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
}
