import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Embeddings } from "@langchain/core/embeddings";
import type Database from "better-sqlite3";
import type { Memory } from "mem0ai/oss";
import { contentOnlyModel } from "./content-only-model.js";
import { loadMem0 } from "./load-mem0.js";
import type { PartitionVectors } from "./partition-vectors.js";

export interface Mem0PartitionsOptions {
  /** Mem0's directory, or ":memory:" for indexes that live as long as the process. */
  readonly dir: string;
  readonly embeddings: Embeddings;
  readonly dimension: number;
  /** Partitions kept open at once (file mode); the least recently used idle one is closed. */
  readonly maxOpen: number;
}

/** The parts of a Mem0 `Memory` that hold SQLite connections; Mem0 3.3 has no `close()`. */
interface Mem0Connections {
  vectorStore?: { db?: { close(): void } };
  db?: { close?(): void };
  _entityStore?: { db?: { close(): void } };
}

/** What is kept per open partition: its Mem0 memory and, once ranked by cosine, its vectors. */
export interface PartitionSlot {
  vectors?: PartitionVectors;
}

interface Entry extends PartitionSlot {
  readonly opening: Promise<Memory>;
  memory?: Memory;
  busy: number;
}

/**
 * One Mem0 `Memory`, with its own vector file, per partition (scope key).
 *
 * Mem0's `memory` vector store reads, JSON-parses and copies every row of its file on each
 * search (twice: once for cosine, once for its keyword score), whatever the filter. In one
 * shared file a search in a 1,000-fact partition would pay for every other tenant's facts;
 * a file per partition makes a search cost what its own partition holds. History is one
 * shared SQLite file (Mem0 keys it by memory id). Files are named by a hash of the scope key,
 * so no tenant name reaches the file system.
 */
export class Mem0Partitions {
  readonly #options: Mem0PartitionsOptions;
  readonly #open = new Map<string, Entry>();

  get dimension(): number {
    return this.#options.dimension;
  }

  constructor(options: Mem0PartitionsOptions) {
    this.#options = options;
    if (options.dir !== ":memory:") mkdirSync(join(options.dir, "partitions"), { recursive: true });
  }

  /** Whether the partition has ever been written (searching an empty one opens nothing). */
  exists(scopeKey: string): boolean {
    return this.#open.has(scopeKey) || (this.#options.dir !== ":memory:" && existsSync(this.#path(scopeKey)));
  }

  /** Runs `work` with the partition's Memory, opening it if needed; it is not closed meanwhile. */
  async with<T>(scopeKey: string, work: (memory: Memory, slot: PartitionSlot) => Promise<T>): Promise<T> {
    let entry = this.#open.get(scopeKey);
    if (entry) this.#open.delete(scopeKey);
    else entry = { opening: this.#create(scopeKey), busy: 0 };
    this.#open.set(scopeKey, entry);
    entry.busy += 1;
    try {
      const memory = await entry.opening;
      entry.memory = memory;
      return await work(memory, entry);
    } catch (error) {
      if (!entry.memory && this.#open.get(scopeKey) === entry) this.#open.delete(scopeKey);
      throw error;
    } finally {
      entry.busy -= 1;
      this.#evict();
    }
  }

  close(): void {
    for (const entry of this.#open.values()) if (entry.memory) closeMemory(entry.memory);
    this.#open.clear();
  }

  async #create(scopeKey: string): Promise<Memory> {
    const { Memory } = await loadMem0(this.#options.dir);
    const inMemory = this.#options.dir === ":memory:";
    const memory = new Memory({
      embedder: { provider: "langchain", config: { model: this.#options.embeddings } },
      vectorStore: {
        provider: "memory",
        config: { dimension: this.#options.dimension, dbPath: inMemory ? ":memory:" : this.#path(scopeKey) },
      },
      llm: { provider: "langchain", config: { model: contentOnlyModel() } },
      historyStore: {
        provider: "sqlite",
        config: { historyDbPath: inMemory ? ":memory:" : join(this.#options.dir, "history.db") },
      },
    });
    // Mem0 opens its stores in the background and reports a failure on the next call: a
    // lookup of an id that cannot exist surfaces it here, before the partition is used.
    await memory.get("00000000-0000-4000-8000-000000000000");
    if (!inMemory) {
      walMode(vectorsDbOf(memory));
      walMode((memory as unknown as { db?: { db?: Database.Database } }).db?.db);
    }
    return memory;
  }

  #path(scopeKey: string): string {
    const name = createHash("sha256").update(scopeKey).digest("hex").slice(0, 32);
    return join(this.#options.dir, "partitions", `${name}.db`);
  }

  /** In-memory partitions are never closed: closing would lose them. */
  #evict(): void {
    if (this.#options.dir === ":memory:") return;
    for (const [scopeKey, entry] of this.#open) {
      if (this.#open.size <= this.#options.maxOpen) return;
      if (entry.busy > 0 || !entry.memory) continue;
      this.#open.delete(scopeKey);
      closeMemory(entry.memory);
    }
  }
}

/**
 * Write-ahead logging, synchronous NORMAL, as governor.db itself. Mem0 opens its SQLite files
 * in rollback-journal mode with full syncs: several fsyncs per insert, about 70 ms of wall
 * time per upsert on this machine against 3 ms in WAL. A power cut can lose the index's last
 * commits as it can governor.db's; the index then misses a key or holds older text, which
 * costs recall on a search, never a stale value (values come from the facts table).
 */
export function walMode(db: Database.Database | undefined): void {
  db?.pragma("journal_mode = WAL");
  db?.pragma("synchronous = NORMAL");
}

/** The better-sqlite3 connection of a partition's Mem0 vector file (Mem0 exposes no accessor). */
export function vectorsDbOf(memory: Memory): Database.Database {
  const db = (memory as unknown as { vectorStore?: { db?: Database.Database } }).vectorStore?.db;
  if (!db)
    throw new Error("Mem0's memory vector store has no SQLite connection (not the 'memory' provider?)");
  return db;
}

function closeMemory(memory: Memory): void {
  const connections = memory as unknown as Mem0Connections;
  connections.vectorStore?.db?.close();
  connections._entityStore?.db?.close();
  connections.db?.close?.();
}
