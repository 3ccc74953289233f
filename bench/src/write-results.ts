import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "./bench-config.js";

/** `bench/results/`, beside `dist/` (ignored by git). */
const RESULTS = new URL("../results/", import.meta.url);

/**
 * Writes the run's results with what is needed to compare them later: when, on what, with
 * which counts, at which commit; to `bench/results/latest.json` unless another `file` is
 * named (relative to bench/results/, or absolute).
 */
export function writeResults(
  config: BenchConfig | Record<string, unknown>,
  results: Record<string, unknown>,
  file = "latest.json",
): string {
  const path = fileURLToPath(new URL(file, RESULTS));
  mkdirSync(dirname(path), { recursive: true });
  const document = {
    at: new Date().toISOString(),
    git: gitState(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpus()[0]?.model,
      cpus: cpus().length,
      // A shared machine's load makes wall times noisy: CPU times and interleaved ratios hold up better.
      loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
    },
    config,
    ...results,
  };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

/** The commit measured, and whether the work tree had uncommitted changes (then the commit is only close). */
function gitState(): { commit?: string; dirty?: boolean } {
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: fileURLToPath(new URL(".", import.meta.url)),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  try {
    return { commit: git("rev-parse", "HEAD").trim(), dirty: git("status", "--porcelain").trim() !== "" };
  } catch {
    return {}; // not a git checkout (an unpacked tarball): the date and environment still identify the run
  }
}
