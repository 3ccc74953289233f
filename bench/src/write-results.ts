import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "./bench-config.js";

/** `bench/results/`, beside `dist/` (ignored by git). */
const RESULTS = new URL("../results/", import.meta.url);

/**
 * Writes the run's results with what is needed to compare them later: when, on what, with
 * which counts; to `bench/results/latest.json` unless another `file` is named.
 */
export function writeResults(
  config: BenchConfig | Record<string, unknown>,
  results: Record<string, unknown>,
  file = "latest.json",
): string {
  const path = fileURLToPath(new URL(file, RESULTS));
  mkdirSync(fileURLToPath(RESULTS), { recursive: true });
  const document = {
    at: new Date().toISOString(),
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
