import type { TokenKeys } from "@governor/identity";
import type { SyncAuditJournal } from "@governor/observability";
import type { Embeddings } from "@langchain/core/embeddings";
import type Database from "better-sqlite3";
import type { AuthorityRegistry } from "../authority-check.js";
import { MemoryStore } from "../memory-store.js";
import { Mem0FactIndex } from "./mem0-fact-index.js";

export interface OpenMemoryStoreOptions {
  /** The facts table's database (Governor's own file). */
  readonly db: Database.Database;
  readonly audit: SyncAuditJournal;
  /** Mem0's directory (vectors per partition, history, key map), or ":memory:". */
  readonly dir: string;
  readonly tokenKeys?: TokenKeys;
  /** Default: the offline local embedder; pass `await embeddingsFromEnv()` for configured ones. */
  readonly embeddings?: Embeddings;
  /** How the index ranks a search (see `Mem0FactIndexOptions.ranking`). */
  readonly ranking?: "mem0" | "cosine";
  readonly tenants?: readonly string[];
  /** Caps the weight behind each authority name (see `MemoryStoreOptions.authorities`). */
  readonly authorities?: AuthorityRegistry;
  readonly now?: () => Date;
}

/**
 * A {@link MemoryStore} whose vector index is a {@link Mem0FactIndex}. Opening it costs no
 * Mem0 import: Mem0 is loaded on the index's first use (a search or a sync).
 *
 * @example
 * const store = openMemoryStore({ db, audit, dir: ".governor/mem0", tokenKeys });
 * await store.write({ principal }, [fact]);
 * const rules = await store.search(principal, { tenant: "acme" }, "carrier for zone B");
 *
 * @throws {GovernorError} CONFIG_INVALID when `dir` cannot be created.
 */
export function openMemoryStore(options: OpenMemoryStoreOptions): MemoryStore {
  const index = new Mem0FactIndex({
    dir: options.dir,
    ...(options.embeddings ? { embeddings: options.embeddings } : {}),
    ...(options.ranking ? { ranking: options.ranking } : {}),
  });
  return new MemoryStore(options.db, {
    audit: options.audit,
    index,
    ...(options.tokenKeys ? { tokenKeys: options.tokenKeys } : {}),
    ...(options.tenants ? { tenants: options.tenants } : {}),
    ...(options.authorities ? { authorities: options.authorities } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
