import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  defaultGovernorDir,
  GovernorError,
  GovernorRuntime,
  type GovernorStores,
  openGovernorStore,
  type ToolCallLimits,
} from "@governor/core";
import type { MemoryStore } from "@governor/memory";

/**
 * The runtime on the store the user chose: PostgreSQL when DATABASE_URL is set (the directory
 * then keeps only development keys), else the embedded store in `--dir`, else GOVERNOR_DIR,
 * else `.governor/`.
 *
 * The directory is checked first so a wrong one (a file, a place the user cannot write)
 * is one clear error naming it and where it came from, not a stack trace from mkdir or
 * SQLite.
 *
 * @throws {GovernorError} CONFIG_INVALID when the store directory is a file, cannot be
 *   created, or is not readable and writable; or when the store in it cannot be opened.
 */
export async function openRuntime(dir: string | undefined): Promise<GovernorRuntime> {
  const path = dir === undefined ? defaultGovernorDir() : resolve(dir);
  const origin =
    dir !== undefined ? "--dir" : process.env.GOVERNOR_DIR ? "GOVERNOR_DIR" : "the default store";
  checkStoreDir(path, origin);
  try {
    const store = await openGovernorStore({ dir: path });
    return new GovernorRuntime({ store, ...(await sharedLimits(store)) });
  } catch (error) {
    if (error instanceof GovernorError) throw error;
    throw new GovernorError(
      "CONFIG_INVALID",
      `Could not open the store at ${path} (${origin}): ${error instanceof Error ? error.message : String(error)}`,
      { dir: path },
      { cause: error },
    );
  }
}

/**
 * The runtime on a store that must already exist, for commands that only read (runs, cost,
 * replay): a mistyped `--dir` is an error naming the path, never a fresh empty store (and a
 * signing key) created where the user did not mean one.
 *
 * @throws {GovernorError} STORE_NOT_FOUND when the directory holds no `governor.db`.
 */
export async function openExistingRuntime(dir: string | undefined): Promise<GovernorRuntime> {
  const path = dir === undefined ? defaultGovernorDir() : resolve(dir);
  const origin =
    dir !== undefined ? "--dir" : process.env.GOVERNOR_DIR ? "GOVERNOR_DIR" : "the default store";
  if (!process.env.DATABASE_URL && !existsSync(join(path, "governor.db"))) {
    throw new GovernorError(
      "STORE_NOT_FOUND",
      `No Governor store at ${path} (${origin}): run a workflow first, or pass --dir with the store's directory`,
      { dir: path },
    );
  }
  return openRuntime(dir);
}

function checkStoreDir(path: string, origin: string): void {
  const invalid = (what: string, cause?: unknown) =>
    new GovernorError(
      "CONFIG_INVALID",
      `The store directory ${path} (${origin}) ${what}: pass --dir with a directory you can write, or set GOVERNOR_DIR`,
      { dir: path },
      { cause },
    );
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw invalid("cannot be read", error);
    try {
      mkdirSync(path, { recursive: true });
    } catch (cause) {
      throw invalid(`cannot be created (${(cause as NodeJS.ErrnoException).code ?? "error"})`, cause);
    }
    isDirectory = true;
  }
  if (!isDirectory) throw invalid("is a file, not a directory");
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw invalid("is not readable and writable by this user", error);
  }
}

/**
 * The store's structured memory. Memory facts are kept in the embedded SQLite store only so
 * far: on PostgreSQL the memory commands refuse, naming why, instead of reading an empty store.
 *
 * @throws {GovernorError} CONFIG_INVALID when the store keeps no memory.
 */
export function memoryOf(runtime: GovernorRuntime): MemoryStore {
  const memory = runtime.store.memory;
  if (!memory) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The ${runtime.store.backend} store (${runtime.store.location}) keeps no memory facts yet: memory works on the embedded store (unset DATABASE_URL)`,
      { backend: runtime.store.backend },
    );
  }
  return memory;
}

/**
 * With REDIS_URL set (the scaled setup), circuit breakers and tool rate limits are shared by
 * every process on that Redis, so an outage one worker sees opens the breaker for all and a
 * downstream API's limit holds for the pool. Without it, each process keeps its own.
 */
async function sharedLimits(store: GovernorStores): Promise<{ limits?: ToolCallLimits }> {
  const url = process.env.REDIS_URL;
  if (!url) return {};
  try {
    const { RedisToolCallLimits } = await import("@governor/resilience-redis");
    return { limits: new RedisToolCallLimits({ redis: url }) };
  } catch (error) {
    await store.close();
    if (error instanceof GovernorError) throw error;
    throw new GovernorError(
      "STORE_BACKEND_MISSING",
      `REDIS_URL is set, but @governor/resilience-redis could not be loaded (${error instanceof Error ? error.message : String(error)}): install it, or unset REDIS_URL`,
      { package: "@governor/resilience-redis" },
      { cause: error },
    );
  }
}
