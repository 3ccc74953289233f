import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  GovernorError,
  GovernorRuntime,
  type GovernorStores,
  openGovernorStore,
  type ToolCallLimits,
} from "@governor/core";
import type { MemoryStore } from "@governor/memory";
import { cliPrices } from "./cli-prices.js";
import { ensureStoreDir, missingDirs, type StoreDir, storeDirFrom } from "./store-dir.js";

/**
 * The runtime on the store the user chose: PostgreSQL when DATABASE_URL is set (the directory
 * then keeps only development keys), else the embedded store in `--dir`, else GOVERNOR_DIR,
 * else `.governor/`.
 *
 * The directory is checked first so a wrong one (a file, a place the user cannot write)
 * is one clear error naming it and where it came from, not a stack trace from mkdir or
 * SQLite.
 *
 * @throws {GovernorError} CONFIG_INVALID when `--dir`/GOVERNOR_DIR is empty, or the store
 *   directory is a file, cannot be created, or is not readable and writable (see
 *   store-dir.ts); or when the store in it cannot be opened.
 */
export async function openRuntime(dir: string | undefined): Promise<GovernorRuntime> {
  const storeDir = storeDirFrom(dir);
  ensureStoreDir(storeDir);
  return openStoreRuntime(storeDir);
}

/**
 * The runtime on a store that must already exist, for commands that only read or answer an
 * existing run (pending, status, audit, runs, cost, replay, approve, budget, memory reads): a
 * mistyped `--dir` is an error naming the path, never a fresh empty store (and a signing key)
 * created where the user did not mean one.
 *
 * @throws {GovernorError} CONFIG_INVALID for an empty `--dir`/GOVERNOR_DIR; STORE_NOT_FOUND
 *   when the directory holds no `governor.db`.
 */
export async function openExistingRuntime(dir: string | undefined): Promise<GovernorRuntime> {
  const storeDir = storeDirFrom(dir);
  // A file in the way (the path, or a parent) is named as one, not as a missing store; nothing is created.
  missingDirs(storeDir);
  if (!process.env.DATABASE_URL && !existsSync(join(storeDir.path, "governor.db"))) {
    throw new GovernorError(
      "STORE_NOT_FOUND",
      `No Governor store at ${storeDir.path} (${storeDir.origin}): run a workflow first, or pass --dir with the store's directory`,
      { dir: storeDir.path },
    );
  }
  ensureStoreDir(storeDir);
  return openStoreRuntime(storeDir);
}

async function openStoreRuntime({ path, origin }: StoreDir): Promise<GovernorRuntime> {
  // Read before the store opens, so a bad price file leaves no connection behind.
  const prices = cliPrices();
  try {
    const store = await openGovernorStore({ dir: path });
    return new GovernorRuntime({ store, prices, ...(await sharedLimits(store)) });
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
