import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "./bench-config.js";

/** `bench/results/latest.json`, beside `dist/` (ignored by git). */
const RESULTS = new URL("../results/latest.json", import.meta.url);

/** Writes the run's results with what is needed to compare them later: when, on what, with which counts. */
export function writeResults(config: BenchConfig, results: Record<string, unknown>): string {
  const path = fileURLToPath(RESULTS);
  mkdirSync(fileURLToPath(new URL(".", RESULTS)), { recursive: true });
  const document = {
    at: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpus()[0]?.model,
      cpus: cpus().length,
    },
    config,
    ...results,
  };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}
