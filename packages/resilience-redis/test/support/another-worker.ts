import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./limits-child.ts", import.meta.url));
const tsconfig = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** A test that starts worker processes: tsx and core load slowly on a loaded two-core machine. */
export const WORKER_TEST_MS = 240_000;

/**
 * Runs support/limits-child.ts in its own Node process (its own Redis connection) and
 * resolves with the JSON it prints last. Asynchronous, so two workers run at the same time.
 */
export function inAnotherWorker(
  url: string,
  tool: string,
  mode: "rate" | "fail" | "call",
  count = 1,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, url, tool, mode, String(count)], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (data) => {
      stdout += data;
    });
    proc.stderr.on("data", (data) => {
      stderr += data;
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 180_000);
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`worker process failed (${signal ?? code}):\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}
