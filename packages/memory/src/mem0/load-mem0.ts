import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorError } from "@governor/errors";

/** The `mem0ai/oss` module, imported on first use only. */
export type Mem0Module = typeof import("mem0ai/oss");

let loading: Promise<Mem0Module> | undefined;

/**
 * Imports `mem0ai/oss` once, after making it safe to import.
 *
 * Mem0 reads `MEM0_TELEMETRY` once, when its module is evaluated: unless it is "false", every
 * call posts an event to PostHog, and its "notices" fetch a config file from GitHub (and, if
 * that remote file enables them, print to stderr). So the variable is forced to "false" before
 * the first import; an application that imports `mem0ai/oss` itself must set it first too.
 * Mem0 also writes `config.json` (a random id) under `MEM0_DIR`, default `~/.mem0`, on every
 * `Memory` it opens: it is pointed at `dir` (or a private temporary directory for in-memory
 * indexes) unless the process already chose one. The import is dynamic so that importing
 * `@governor/memory` costs nothing until an index is used (cold start).
 *
 * @throws {GovernorError} MEMORY_INDEX_FAILED when the module cannot be loaded.
 */
export function loadMem0(dir: string): Promise<Mem0Module> {
  process.env.MEM0_TELEMETRY = "false";
  if (!process.env.MEM0_DIR) {
    process.env.MEM0_DIR = dir === ":memory:" ? mkdtempSync(join(tmpdir(), "governor-mem0-")) : dir;
    mkdirSync(process.env.MEM0_DIR, { recursive: true });
  }
  loading ??= import("mem0ai/oss").catch((error: unknown) => {
    loading = undefined;
    throw new GovernorError(
      "MEMORY_INDEX_FAILED",
      `cannot load mem0ai/oss: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  });
  return loading;
}
