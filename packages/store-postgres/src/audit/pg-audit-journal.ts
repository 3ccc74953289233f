import { GovernorError } from "@governor/errors";
import {
  type AuditEntry,
  type AuditJournal,
  type AuditKey,
  type AuditQuery,
  type AuditRecord,
  type AuditVerification,
  matchesAuditQuery,
  storedRecordHash,
  verifyChainAsync,
} from "@governor/observability";
import type pg from "pg";
import { appendBatch, ChainRaced } from "./append-batch.js";
import { type PreparedEntry, prepareEntry } from "./audit-entry.js";
import { auditFindSql } from "./audit-find-sql.js";
import { HEAD_LOCATION, type HeadRow, headReadOf } from "./audit-head-row.js";
import { type AuditKeySource, auditKeyOf } from "./audit-key-source.js";
import { AUDIT_COLUMNS, type AuditRow, recordOf } from "./audit-rows.js";
import { chainPages } from "./chain-pages.js";
import { inTransaction } from "./in-transaction.js";
import { storeFailure } from "./store-failure.js";

export interface PgAuditJournalOptions extends AuditKeySource {
  /** The most appends one transaction writes (default 256). */
  readonly maxBatch?: number;
  /** Records `verify` reads per page (default 1000). */
  readonly verifyPageSize?: number;
  /**
   * How long a writer may hold the chain's lock without a word before the server ends its
   * session (default 15 s): a frozen worker cannot stall every other one longer than this.
   */
  readonly lockHolderTimeoutMs?: number;
}

type Waiting = {
  readonly entry: PreparedEntry;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
};

/** A batch that met a writer outside the lock is tried again this many times in all. */
const ATTEMPTS = 3;

/**
 * The audit journal in PostgreSQL: one hash chain shared by every worker on every machine,
 * with the same records, hashes, seals and verdicts as `SqliteAuditJournal`.
 *
 * Appends are serialized on the chain's advisory lock (see `appendBatch` for why one chain
 * and not one per thread). Within a process, appends made while a transaction is under way
 * wait and go together in the next one, in the order they were made; each promise resolves
 * once its transaction has committed, so an awaited append is durable and in its place.
 * The signed head lives in `audit_head` and moves in the same transaction as the records.
 *
 * @example
 * const journal = await PgAuditJournal.open(pool, { env: process.env });
 * await journal.append({ threadId, kind: "policy", outcome: "allow", data: { callId } });
 * const verdict = await journal.verify(); // { ok: true, records, head, anchored, keyId }
 */
export class PgAuditJournal implements AuditJournal {
  readonly #pool: pg.Pool;
  readonly #key: AuditKey;
  readonly #maxBatch: number;
  readonly #pageSize: number;
  readonly #holderTimeoutMs: number;
  readonly #queue: Waiting[] = [];
  #writing: Promise<void> | undefined;

  /**
   * A journal over `pool` whose tables are checked to exist first.
   *
   * @throws {GovernorError} STORE_SCHEMA_MISMATCH when the audit tables are missing or older;
   * STORE_UNREACHABLE when the database cannot be reached; STORE_CONFIG_INVALID without a key.
   */
  static async open(pool: pg.Pool, options: PgAuditJournalOptions = {}): Promise<PgAuditJournal> {
    const journal = new PgAuditJournal(pool, options);
    await journal.#query(`SELECT ${AUDIT_COLUMNS} FROM audit_records LIMIT 0`);
    await journal.#query("SELECT records, hash, at, key_id, seal FROM audit_head LIMIT 0");
    return journal;
  }

  /**
   * @param pool the store's pool; the journal borrows a client per call and never ends it.
   * @throws {GovernorError} STORE_CONFIG_INVALID when no audit key is configured (see
   * `auditKeyOf`), or a size or timeout is not a positive integer.
   */
  constructor(pool: pg.Pool, options: PgAuditJournalOptions = {}) {
    this.#pool = pool;
    this.#key = auditKeyOf(options);
    this.#maxBatch = positive("maxBatch", options.maxBatch ?? 256);
    this.#pageSize = positive("verifyPageSize", options.verifyPageSize ?? 1000);
    this.#holderTimeoutMs = positive("lockHolderTimeoutMs", options.lockHolderTimeoutMs ?? 15_000);
  }

  /** Where the signed head is kept. */
  get headLocation(): string {
    return HEAD_LOCATION;
  }

  /** Fingerprint of the key that seals this journal. */
  get keyId(): string {
    return this.#key.id;
  }

  /** A keyed digest of a masked value, under this journal's audit key: see `AuditKey.valueDigest`. */
  valueDigest(text: string): string {
    return this.#key.valueDigest(text);
  }

  /**
   * Appends `entry` to the chain; resolves once it is committed.
   *
   * @throws {GovernorError} VALUE_UNSERIALIZABLE when `entry.data` holds a circular reference
   * (or a field PostgreSQL cannot store exactly); STORE_UNREACHABLE when the database went away,
   * in which case nothing of the transaction was kept.
   */
  append(entry: AuditEntry): Promise<AuditRecord> {
    let prepared: PreparedEntry;
    try {
      prepared = prepareEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry: prepared, resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  async list(threadId?: string): Promise<AuditRecord[]> {
    const rows = threadId
      ? await this.#query(`SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE thread_id = $1 ORDER BY seq`, [
          threadId,
        ])
      : await this.#query(`SELECT ${AUDIT_COLUMNS} FROM audit_records ORDER BY seq`);
    return rows.map(recordOf);
  }

  /** The run's records that match `query`, through the lookup index, kept only if their own fields match. */
  async find(query: AuditQuery): Promise<AuditRecord[]> {
    const { sql, params } = auditFindSql(query);
    const rows = await this.#query(sql, params);
    return rows.map(recordOf).filter((record) => matchesAuditQuery(record, query));
  }

  /**
   * Walks the whole chain a page at a time, checks every seal and the signed head, and names
   * the first record that does not hold. The head and every page are read from one snapshot,
   * after this journal's own pending appends have committed.
   */
  async verify(): Promise<AuditVerification> {
    await this.flush();
    return inTransaction(this.#pool, "verifying the audit journal", async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      const head = await client.query<HeadRow>(
        "SELECT records, hash, at, key_id, seal FROM audit_head WHERE id = 1",
      );
      return verifyChainAsync(
        chainPages(client, this.#pageSize),
        this.#key,
        headReadOf(head.rows[0], this.#key),
        {
          hash: storedRecordHash,
        },
      );
    });
  }

  /** Waits until every append made so far has been committed or refused. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Lets pending appends finish; the pool stays open (it is the store's). */
  async close(): Promise<void> {
    await this.flush();
  }

  /** One transaction at a time, each taking every append queued meanwhile (up to `maxBatch`), in order. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          const records = await this.#write(batch.map((waiting) => waiting.entry));
          for (const [i, waiting] of batch.entries()) waiting.resolve(records[i] as AuditRecord);
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #write(entries: readonly PreparedEntry[]): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await appendBatch(this.#pool, this.#key, entries, this.#holderTimeoutMs);
      } catch (error) {
        if (!(error instanceof ChainRaced) || attempt === ATTEMPTS) throw error;
      }
    }
  }

  async #query(sql: string, params: unknown[] = []): Promise<AuditRow[]> {
    try {
      return (await this.#pool.query<AuditRow>(sql, params)).rows;
    } catch (error) {
      throw storeFailure(error, "reading the audit journal");
    }
  }
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new GovernorError(
      "STORE_CONFIG_INVALID",
      `PgAuditJournal option ${option} must be a positive integer, not ${String(value)}`,
      { option },
    );
  return value;
}
