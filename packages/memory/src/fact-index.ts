import type { FactKey } from "./fact.js";

/**
 * A vector index over the current text of each key in a partition: it finds which keys are
 * relevant to a step, nothing more. Whether a fact is current, and its value, are always read
 * from the facts table, so an index that lags or keeps a stale vector can never put an outdated
 * fact in front of the model. Mem0 is the default (`Mem0FactIndex`).
 */
export interface FactIndex {
  /** Sets the key's text (adding it the first time). Idempotent. */
  upsert(scopeKey: string, key: FactKey, text: string): Promise<void>;
  /** Removes the key. Removing an unknown key does nothing. */
  remove(scopeKey: string, key: FactKey): Promise<void>;
  /** The most relevant keys in the partition for `query`, best first. */
  search(scopeKey: string, query: string, limit: number): Promise<FactKey[]>;
  close?(): void;
}
