import type { AuditHead, HeadRead, HeadStore } from "./audit-head.js";
import type { AuditKey } from "./audit-key.js";

/** The hash of record `seq` as the journal holds it now (GENESIS_HASH for 0), or undefined if there is none. */
export type HashAt = (seq: number) => string | undefined;

/**
 * Moves a journal's signed head forward as records are appended.
 *
 * Writing a file on every append would cost far more than the append itself, so a head kept
 * in a file is written at most once per `flushAfterMs` (and on `flush()`, which `close()` and
 * `verify()` call). Records appended since the last write are sealed but not anchored: if the
 * process dies before the next write, removing them from the end is not detected.
 *
 * A head is only ever replaced by one that extends it. When the head on disk names a record
 * the journal no longer holds with that hash (the journal was cut and written again), or is
 * not a valid head, it is left as it is: it is the evidence `verify()` reports.
 */
export class AuditAnchor {
  readonly #key: AuditKey;
  readonly #store: HeadStore;
  readonly #flushAfterMs: number;
  #pending: { records: number; hash: string } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #hashAt: HashAt | undefined;

  constructor(key: AuditKey, store: HeadStore, flushAfterMs = 25) {
    this.#key = key;
    this.#store = store;
    this.#flushAfterMs = flushAfterMs;
  }

  get location(): string {
    return this.#store.location;
  }

  /** Reads the head and checks its seal: a head this key did not sign is reported, never trusted. */
  read(): HeadRead {
    const found = this.#store.read();
    if (found.status !== "found") return found;
    const { head } = found;
    if (head.keyId !== this.#key.id)
      return {
        status: "invalid",
        reason: `the head at ${this.location} was sealed with audit key ${head.keyId}, not with this key (${this.#key.id})`,
      };
    if (!this.#key.matches(this.#key.sealHead(head.records, head.hash), head.seal))
      return {
        status: "invalid",
        reason: `the head at ${this.location} has a seal that does not match its contents`,
      };
    return found;
  }

  /**
   * Writes a first head when there is none: for a new journal, the empty chain; for a journal
   * written before heads existed, its current end, so truncation is detected from now on.
   */
  initialize(records: number, hash: string): void {
    if (this.#store.read().status === "none") this.#store.write(this.#sign(records, hash));
  }

  /** Notes a new end of the chain; the head follows now, or within `flushAfterMs`. */
  appended(records: number, hash: string, hashAt: HashAt): void {
    // A deduplicated append returns an older record: it must not pull the pending head back.
    // Unless the pending end is gone: a transaction around its append rolled back, and this
    // append (the same or a lower number, another hash) is the journal's real end now.
    if (
      this.#pending &&
      records <= this.#pending.records &&
      hashAt(this.#pending.records) === this.#pending.hash
    )
      return;
    this.#pending = { records, hash };
    this.#hashAt = hashAt;
    if (this.#store.immediate) {
      this.flush();
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.flush();
      } catch {
        // A failed head write leaves the older head: the records after it stay sealed, only unanchored.
      }
    }, this.#flushAfterMs);
    this.#timer.unref?.();
  }

  /** Writes the pending head now, if it extends the one stored. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    const hashAt = this.#hashAt;
    this.#pending = undefined;
    if (!pending || !hashAt) return;
    // Never anchor a record the journal does not hold: its append was rolled back with the
    // transaction around it. A head naming it would make an intact journal look truncated.
    if (hashAt(pending.records) !== pending.hash) return;
    const stored = this.read();
    if (stored.status === "invalid") return;
    if (stored.status === "found") {
      if (stored.head.records >= pending.records) return;
      if (hashAt(stored.head.records) !== stored.head.hash) return;
    }
    this.#store.write(this.#sign(pending.records, pending.hash));
  }

  /** Drops a pending write without making it (the journal's connection is gone). */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #sign(records: number, hash: string): AuditHead {
    return {
      records,
      hash,
      at: new Date().toISOString(),
      keyId: this.#key.id,
      seal: this.#key.sealHead(records, hash),
    };
  }
}
