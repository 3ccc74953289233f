import type Database from "better-sqlite3";
import type { FactKey } from "../fact.js";

/** A live key of a partition and its Mem0 memory id. */
export interface LiveKey extends FactKey {
  readonly mem0Id: string;
}

/**
 * A partition's vectors as one Float32 matrix, read from the partition's Mem0 vector file,
 * for `ranking: "cosine"`.
 *
 * Mem0 3.3's `memory` store answers a search by reading, JSON-parsing and copying every row
 * of its file, twice (cosine, then BM25), plus entity look-ups: about 70 µs of CPU a row here,
 * so 70 ms for a 1,000-key partition. This ranks the very vectors Mem0 stored (Mem0 still
 * embeds, stores, updates, deletes and keeps history) by cosine alone, in well under a
 * millisecond per thousand keys. Only live keys are loaded, so unowned memories never rank.
 */
export class PartitionVectors {
  readonly #dimension: number;
  #ids: string[] = [];
  #keys: FactKey[] = [];
  #rows = new Map<string, number>();
  #data: Float32Array;
  #norms: Float32Array;

  private constructor(dimension: number, capacity: number) {
    this.#dimension = dimension;
    this.#data = new Float32Array(Math.max(capacity, 16) * dimension);
    this.#norms = new Float32Array(Math.max(capacity, 16));
  }

  /** Loads the live keys' vectors from Mem0's `vectors` table (its connection, read only). */
  static load(vectorsDb: Database.Database, live: readonly LiveKey[], dimension: number): PartitionVectors {
    const matrix = new PartitionVectors(dimension, live.length);
    const byId = new Map(live.map((key) => [key.mem0Id, key]));
    // One pass over the file (Mem0 keeps no other index): cheaper than a look-up per key.
    for (const row of vectorsDb.prepare("SELECT id, vector FROM vectors").iterate() as Iterable<{
      id: string;
      vector: Buffer;
    }>) {
      const key = byId.get(row.id);
      if (key) matrix.#set(key, row.vector);
    }
    return matrix;
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Re-reads one key's vector after Mem0 wrote it. */
  refresh(vectorsDb: Database.Database, key: LiveKey): void {
    const row = vectorsDb.prepare("SELECT vector FROM vectors WHERE id = ?").get(key.mem0Id) as
      | { vector: Buffer }
      | undefined;
    if (row) this.#set(key, row.vector);
    else this.delete(key.mem0Id);
  }

  delete(mem0Id: string): void {
    const row = this.#rows.get(mem0Id);
    if (row === undefined) return;
    const last = this.#ids.length - 1;
    if (row !== last) {
      const d = this.#dimension;
      this.#data.copyWithin(row * d, last * d, last * d + d);
      this.#norms[row] = this.#norms[last] as number;
      const moved = this.#ids[last] as string;
      this.#ids[row] = moved;
      this.#keys[row] = this.#keys[last] as FactKey;
      this.#rows.set(moved, row);
    }
    this.#ids.pop();
    this.#keys.pop();
    this.#rows.delete(mem0Id);
  }

  /** The `limit` keys of highest cosine with `query` at or above `threshold`, best first. */
  search(query: readonly number[], limit: number, threshold: number): FactKey[] {
    const d = this.#dimension;
    const q = Float32Array.from(query);
    let qNorm = 0;
    for (let j = 0; j < d; j++) qNorm += (q[j] as number) * (q[j] as number);
    qNorm = Math.sqrt(qNorm);
    if (qNorm === 0 || q.length !== d) return [];
    const best: { row: number; score: number }[] = [];
    const data = this.#data;
    for (let row = 0, n = this.#ids.length; row < n; row++) {
      const norm = this.#norms[row] as number;
      if (norm === 0) continue;
      let dot = 0;
      const base = row * d;
      for (let j = 0; j < d; j++) dot += (data[base + j] as number) * (q[j] as number);
      const score = dot / (norm * qNorm);
      if (!(score >= threshold)) continue;
      if (best.length === limit && score <= (best[best.length - 1]?.score ?? -Infinity)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1]?.score ?? 0) < score) at--;
      best.splice(at, 0, { row, score });
      if (best.length > limit) best.pop();
    }
    return best.map(({ row }) => this.#keys[row] as FactKey);
  }

  #set(key: LiveKey, blob: Buffer): void {
    const d = this.#dimension;
    if (blob.byteLength !== d * 4) return;
    let row = this.#rows.get(key.mem0Id);
    if (row === undefined) {
      row = this.#ids.length;
      if ((row + 1) * d > this.#data.length) this.#grow();
      this.#ids.push(key.mem0Id);
      this.#keys.push({ entity: key.entity, attribute: key.attribute });
      this.#rows.set(key.mem0Id, row);
    }
    // A copy: a Buffer from SQLite need not be 4-byte aligned.
    const vector = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + d * 4));
    this.#data.set(vector, row * d);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += (vector[j] as number) * (vector[j] as number);
    this.#norms[row] = Math.sqrt(norm);
  }

  #grow(): void {
    const data = new Float32Array(this.#data.length * 2);
    data.set(this.#data);
    this.#data = data;
    const norms = new Float32Array(this.#norms.length * 2);
    norms.set(this.#norms);
    this.#norms = norms;
  }
}
