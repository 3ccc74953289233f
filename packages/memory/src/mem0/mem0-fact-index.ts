import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { GovernorError } from "@governor/errors";
import type { Embeddings } from "@langchain/core/embeddings";
import Database from "better-sqlite3";
import type { Memory } from "mem0ai/oss";
import type { FactKey } from "../fact.js";
import type { FactIndex } from "../fact-index.js";
import { LocalEmbeddings } from "./local-embeddings.js";
import { Mem0KeyMap } from "./mem0-key-map.js";
import { Mem0Partitions, type PartitionSlot, vectorsDbOf, walMode } from "./mem0-partitions.js";
import { PartitionVectors } from "./partition-vectors.js";

export interface Mem0FactIndexOptions {
  /** Where Mem0 keeps its files (vectors per partition, history, the key map), or ":memory:". */
  readonly dir: string;
  /** Default: the offline {@link LocalEmbeddings}; see `embeddingsFromEnv` for OpenAI-compatible ones. */
  readonly embeddings?: Embeddings;
  /** Vector size. Default: the local embedder's, else measured once with one embedding. */
  readonly dimension?: number;
  /**
   * Minimum cosine for a key to count as relevant. Default: Mem0's 0.1, or 3/√dimension (0.19
   * at 256) with the local embedder, whose hashed features give unrelated texts a cosine of
   * about ±1/√dimension.
   */
  readonly threshold?: number;
  /** Partitions kept open at once in file mode (default 64). */
  readonly maxOpenPartitions?: number;
  /**
   * How a search ranks: "mem0" (default) asks Mem0's `search()` (cosine plus its BM25 and entity
   * boosts, but it reads every row of the partition's file per query: tens of ms per thousand
   * keys); "cosine" ranks the same stored vectors by cosine in a matrix kept in memory per open
   * partition (well under a millisecond per thousand keys).
   */
  readonly ranking?: "mem0" | "cosine";
}

/** One entry of a key's life in Mem0, oldest first. */
export interface Mem0HistoryEvent {
  readonly memoryId: string;
  readonly action: "ADD" | "UPDATE" | "DELETE";
  readonly previousValue: string | null;
  readonly newValue: string | null;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

interface Mem0HistoryRow {
  id: number;
  memory_id: string;
  previous_value: string | null;
  new_value: string | null;
  action: string;
  created_at: string | null;
  updated_at: string | null;
}

/**
 * The {@link FactIndex} on Mem0 (`mem0ai/oss`): one Mem0 memory per fact key, written verbatim
 * (`infer: false`), changed with `update()` and `delete()` so Mem0's history records the key's
 * lifecycle, and found with Mem0's search. Mem0 only ranks keys: whether a fact is current,
 * and its value, come from the facts table, so a stale vector can never surface an outdated
 * value. Fully offline by default (local embedder, SQLite vector files, telemetry off), and
 * Mem0 is imported on first use.
 *
 * @example
 * const index = new Mem0FactIndex({ dir: ".governor/mem0" });
 * const store = new MemoryStore(db, { audit, index });
 */
export class Mem0FactIndex implements FactIndex {
  readonly #options: Mem0FactIndexOptions;
  readonly #embeddings: Embeddings;
  readonly #keysDb: Database.Database;
  readonly #keys: Mem0KeyMap;
  #partitions: Promise<Mem0Partitions> | undefined;
  /** Writes run one at a time, so a key's add and its binding cannot interleave with another write of it. */
  #writes: Promise<unknown> = Promise.resolve();

  /** @throws {GovernorError} CONFIG_INVALID for a bad dimension or a directory that cannot be created. */
  constructor(options: Mem0FactIndexOptions) {
    this.#options = options;
    this.#embeddings = options.embeddings ?? new LocalEmbeddings(options.dimension ?? 256);
    if (options.dimension !== undefined && (!Number.isInteger(options.dimension) || options.dimension < 1)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Mem0 index dimension must be a positive integer: got ${options.dimension}`,
      );
    }
    try {
      if (options.dir !== ":memory:") mkdirSync(options.dir, { recursive: true });
      this.#keysDb = new Database(options.dir === ":memory:" ? ":memory:" : join(options.dir, "keys.db"));
    } catch (error) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `cannot open the Mem0 index directory ${options.dir}: ${(error as Error).message}`,
        { dir: options.dir },
        { cause: error },
      );
    }
    if (options.dir !== ":memory:") walMode(this.#keysDb);
    this.#keys = new Mem0KeyMap(this.#keysDb);
  }

  /** @throws {GovernorError} MEMORY_INDEX_FAILED when Mem0 fails; nothing is bound then. */
  upsert(scopeKey: string, key: FactKey, text: string): Promise<void> {
    return this.#write("upsert", scopeKey, key, async (memory, slot) => {
      const id = this.#keys.live(scopeKey, key);
      const existing = id === undefined ? null : await memory.get(id);
      if (id !== undefined && existing) {
        // A retried change after a crash finds its text already there: no second UPDATE.
        if (existing.memory !== text) await memory.update(id, text);
        slot.vectors?.refresh(vectorsDbOf(memory), { ...key, mem0Id: id });
        return;
      }
      // First write of the key, or its memory is gone from Mem0's files: add it (again).
      const added = await memory.add([{ role: "user", content: text }], {
        infer: false,
        userId: scopeKey,
        metadata: { entity: key.entity, attribute: key.attribute },
      });
      const addedId = added.results[0]?.id;
      if (!addedId) throw new Error("Mem0 add returned no memory id");
      this.#keys.bind(scopeKey, key, addedId);
      if (id !== undefined) slot.vectors?.delete(id);
      slot.vectors?.refresh(vectorsDbOf(memory), { ...key, mem0Id: addedId });
    });
  }

  /** @throws {GovernorError} MEMORY_INDEX_FAILED when Mem0 fails; the key stays bound then. */
  remove(scopeKey: string, key: FactKey): Promise<void> {
    return this.#write("remove", scopeKey, key, async (memory, slot) => {
      const id = this.#keys.live(scopeKey, key);
      if (id === undefined) return;
      // Deleted already (a retry after a crash between Mem0's delete and the unbind): just unbind.
      if (await memory.get(id)) await memory.delete(id);
      this.#keys.unbind(scopeKey, key);
      slot.vectors?.delete(id);
    });
  }

  /**
   * Mem0's search in the partition, mapped back to keys, best first. Only a key's live memory
   * counts: an unbound one (left by a crash) or a duplicate never comes back.
   *
   * @throws {GovernorError} MEMORY_INDEX_FAILED when Mem0 fails.
   */
  async search(scopeKey: string, query: string, limit: number): Promise<FactKey[]> {
    if (!(limit > 0) || !/[\p{L}\p{N}]/u.test(query)) return [];
    const partitions = await this.#ready();
    if (!partitions.exists(scopeKey)) return [];
    if (this.#options.ranking === "cosine") {
      return this.#mem0("search", scopeKey, undefined, () =>
        partitions.with(scopeKey, async (memory, slot) => {
          slot.vectors ??= PartitionVectors.load(
            vectorsDbOf(memory),
            this.#keys.liveKeys(scopeKey),
            partitions.dimension,
          );
          const vector = await this.#embeddings.embedQuery(query);
          return slot.vectors.search(vector, Math.ceil(limit), this.#threshold(partitions.dimension));
        }),
      );
    }
    const found = await this.#mem0("search", scopeKey, undefined, () =>
      partitions.with(scopeKey, (memory) =>
        memory.search(query, {
          filters: { user_id: scopeKey },
          topK: Math.ceil(limit) * 2,
          threshold: this.#threshold(partitions.dimension),
        }),
      ),
    );
    const keys: FactKey[] = [];
    const seen = new Set<string>();
    for (const result of found.results) {
      const key = this.#keys.keyOf(scopeKey, result.id);
      if (!key || result.metadata?.entity !== key.entity || result.metadata?.attribute !== key.attribute)
        continue;
      const id = `${key.entity}\u0000${key.attribute}`;
      if (seen.has(id)) continue;
      seen.add(id);
      keys.push(key);
      if (keys.length >= limit) break;
    }
    return keys;
  }

  /**
   * Mem0's own history of a key: every ADD, UPDATE and DELETE of every memory the key had,
   * oldest first. Governor's facts table stays the record of truth; this shows what Mem0 did.
   *
   * @throws {GovernorError} MEMORY_INDEX_FAILED when Mem0 fails.
   */
  async history(scopeKey: string, key: FactKey): Promise<Mem0HistoryEvent[]> {
    const ids = this.#keys.ids(scopeKey, key);
    if (ids.length === 0) return [];
    const partitions = await this.#ready();
    const rows = await this.#mem0("history", scopeKey, key, () =>
      partitions.with(scopeKey, async (memory) => {
        const all: Mem0HistoryRow[] = [];
        for (const id of ids) all.push(...((await memory.history(id)) as Mem0HistoryRow[]));
        return all;
      }),
    );
    return rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({
        memoryId: row.memory_id,
        action: row.action as Mem0HistoryEvent["action"],
        previousValue: row.previous_value,
        newValue: row.new_value,
        ...(row.created_at ? { createdAt: row.created_at } : {}),
        ...(row.updated_at ? { updatedAt: row.updated_at } : {}),
      }));
  }

  close(): void {
    void this.#partitions?.then((partitions) => partitions.close()).catch(() => undefined);
    this.#keysDb.close();
  }

  #write(
    operation: string,
    scopeKey: string,
    key: FactKey,
    work: (memory: Memory, slot: PartitionSlot) => Promise<void>,
  ): Promise<void> {
    const run = this.#writes.then(async () => {
      const partitions = await this.#ready();
      await this.#mem0(operation, scopeKey, key, () => partitions.with(scopeKey, work));
    });
    this.#writes = run.catch(() => undefined);
    return run;
  }

  /** Opens Mem0 once: the vector size is fixed per directory, so a changed embedder is refused, not mixed in. */
  #ready(): Promise<Mem0Partitions> {
    this.#partitions ??= (async () => {
      const dimension = await this.#dimension();
      const recorded = this.#keys.meta("dimension");
      if (recorded !== undefined && Number(recorded) !== dimension) {
        throw new GovernorError(
          "CONFIG_INVALID",
          `the Mem0 index in ${this.#options.dir} holds ${recorded}-dimension vectors, but the embedder gives ${dimension}: use the embedder it was built with, or another directory`,
          { dir: this.#options.dir, recorded: Number(recorded), dimension },
        );
      }
      this.#keys.setMeta("dimension", String(dimension));
      return new Mem0Partitions({
        dir: this.#options.dir,
        embeddings: this.#embeddings,
        dimension,
        maxOpen: this.#options.maxOpenPartitions ?? 64,
      });
    })();
    this.#partitions.catch(() => {
      this.#partitions = undefined;
    });
    return this.#partitions;
  }

  #threshold(dimension: number): number {
    if (this.#options.threshold !== undefined) return this.#options.threshold;
    return this.#embeddings instanceof LocalEmbeddings ? Math.max(0.1, 3 / Math.sqrt(dimension)) : 0.1;
  }

  async #dimension(): Promise<number> {
    if (this.#options.dimension !== undefined) return this.#options.dimension;
    if (this.#embeddings instanceof LocalEmbeddings) return this.#embeddings.dimension;
    return this.#mem0(
      "measure the embedding size",
      "-",
      undefined,
      async () => (await this.#embeddings.embedQuery("dimension probe")).length,
    );
  }

  async #mem0<T>(
    operation: string,
    scopeKey: string,
    key: FactKey | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof GovernorError) throw error;
      const where = key ? ` of ${key.entity}.${key.attribute}` : "";
      throw new GovernorError(
        "MEMORY_INDEX_FAILED",
        `Mem0 ${operation}${where} in ${scopeKey} failed: ${(error as Error).message}`,
        { scopeKey, ...(key ? { entity: key.entity, attribute: key.attribute } : {}) },
        { cause: error },
      );
    }
  }
}
