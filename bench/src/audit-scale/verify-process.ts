import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const PRELOAD = new URL("../cold-start/report-usage.js", import.meta.url).href;
/** The built CLI, as a user runs it. */
const GOVERNOR_BIN = fileURLToPath(new URL("../../../apps/cli/bin/governor.js", import.meta.url));

/** One `governor audit verify` process: its exit, what it printed, and what it cost. */
export interface VerifyProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The child's own user + system CPU (Node's boot included), read by the child at exit. */
  readonly cpuS: number;
  /** From spawn to exit. */
  readonly wallS: number;
  readonly maxRssMb: number;
}

/**
 * Runs the built `governor audit verify --dir <dir>` in a child process and reads its CPU and
 * peak RSS from the preload the cold-start figure uses (`cold-start/report-usage.ts`).
 *
 * @throws {Error} when the child could not be run or did not report its usage.
 */
export function verifyProcess(dir: string): VerifyProcess {
  const scratch = mkdtempSync(join(tmpdir(), "governor-bench-verify-"));
  const usageFile = join(scratch, "usage.json");
  try {
    const start = performance.now();
    const child = spawnSync(
      process.execPath,
      ["--import", PRELOAD, GOVERNOR_BIN, "audit", "verify", "--dir", dir],
      {
        env: { ...process.env, BENCH_USAGE_FILE: usageFile, NO_COLOR: "1" },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const wallS = (performance.now() - start) / 1000;
    if (child.error)
      throw new Error(`audit scale: governor audit verify did not run: ${child.error.message}`);
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as {
      userMs: number;
      systemMs: number;
      maxRssMb: number;
    };
    return {
      code: child.status,
      stdout: child.stdout,
      stderr: child.stderr,
      cpuS: (usage.userMs + usage.systemMs) / 1000,
      wallS,
      maxRssMb: usage.maxRssMb,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
