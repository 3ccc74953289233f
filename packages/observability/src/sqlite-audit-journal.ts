import Database from "better-sqlite3";
import { AuditAnchor } from "./audit-anchor.js";
import { appendedRecordHash, verifyChain } from "./audit-chain.js";
import { markDeduplicated } from "./audit-dedupe.js";
import { type HeadStore, MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import { matchesAuditQuery } from "./audit-query.js";
import {
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  GENESIS_HASH,
  type SyncAuditJournal,
} from "./audit-record.js";
import { type PlainJson, toPlainJson } from "./plain-json.js";
import { AUDIT_QUERY_INDEXES, AuditQueryStatements, INDEXED_CALL_ID } from "./sqlite-audit-query.js";
import { storedRecordHash } from "./stored-record-hash.js";

type Row = {
  seq: number;
  at: string;
  thread_id: string;
  kind: string;
  outcome: string;
  node: string | null;
  tool: string | null;
  principal: string | null;
  data: string;
  dedupe_key: string | null;
  prev_hash: string;
  hash: string;
  seal: string | null;
};

export interface SqliteAuditJournalOptions {
  /**
   * The key that seals records and the head. Without one, a key is made for this process
   * only: right for a journal in memory, and for a file it means the next process cannot
   * verify what this one wrote (it fails closed). `GovernorStore` passes the store's key.
   */
  readonly key?: AuditKey;
  /** Where the signed head is kept; in memory unless given (see `auditAnchorFor`). */
  readonly head?: HeadStore;
  /** How long a head kept in a file may lag behind the appends, in ms (default 25). */
  readonly flushAfterMs?: number;
}

/**
 * The audit journal in SQLite: one table, appended under a write transaction so two
 * processes sharing the file still produce one unbroken chain. Each record is sealed with
 * the audit key, and a signed head outside the table records how long the chain was; see
 * `AUDIT_GUARANTEE` for what that proves and against whom.
 */
export class SqliteAuditJournal implements SyncAuditJournal {
  readonly #db: Database.Database;
  readonly #key: AuditKey;
  readonly #anchor: AuditAnchor;
  readonly #append: (entry: AuditEntry) => AuditRecord;
  readonly #byKey: Database.Statement<[string], Row>;
  readonly #insert: Database.Statement;
  readonly #head: Database.Statement<[], Pick<Row, "seq" | "hash" | "seal">>;
  readonly #hashOf: Database.Statement<[number], Pick<Row, "hash">>;
  readonly #listThread: Database.Statement<[string], Row>;
  readonly #listAll: Database.Statement<[], Row>;
  readonly #queries: AuditQueryStatements<Row>;
  /** Records appended inside a caller's open transaction, anchored once it has ended. */
  readonly #deferred: AuditRecord[] = [];
  readonly #hashAt = (seq: number): string | undefined =>
    seq === 0 ? GENESIS_HASH : this.#hashOf.get(seq)?.hash;

  /**
   * @param database a file path, `:memory:`, or an open better-sqlite3 connection to share.
   * @throws {GovernorError} CONFIG_INVALID when the head cannot be written where it is kept.
   */
  constructor(database: string | Database.Database, options: SqliteAuditJournalOptions = {}) {
    this.#db = typeof database === "string" ? new Database(database) : database;
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS audit_records (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        node TEXT,
        tool TEXT,
        principal TEXT,
        data TEXT NOT NULL,
        dedupe_key TEXT UNIQUE,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        seal TEXT
      );
    `);
    // Journals written before records were sealed lack the column; their records stay unsealed and verify says so.
    const columns = this.#db.prepare("SELECT name FROM pragma_table_info('audit_records')").all() as {
      name: string;
    }[];
    if (!columns.some((column) => column.name === "seal"))
      this.#db.exec("ALTER TABLE audit_records ADD COLUMN seal TEXT");
    // After the table exists in its current shape: a journal from before `find` gains its indexes here.
    this.#db.exec(AUDIT_QUERY_INDEXES);
    this.#key = options.key ?? AuditKey.ephemeral();
    this.#anchor = new AuditAnchor(this.#key, options.head ?? new MemoryHeadStore(), options.flushAfterMs);
    this.#byKey = this.#db.prepare("SELECT * FROM audit_records WHERE dedupe_key = ?");
    this.#head = this.#db.prepare("SELECT seq, hash, seal FROM audit_records ORDER BY seq DESC LIMIT 1");
    this.#hashOf = this.#db.prepare("SELECT hash FROM audit_records WHERE seq = ?");
    this.#listThread = this.#db.prepare("SELECT * FROM audit_records WHERE thread_id = ? ORDER BY seq");
    this.#listAll = this.#db.prepare("SELECT * FROM audit_records ORDER BY seq");
    this.#queries = new AuditQueryStatements(this.#db);
    this.#insert = this.#db.prepare(`INSERT INTO audit_records
      (seq, at, thread_id, kind, outcome, node, tool, principal, data, dedupe_key, prev_hash, hash, seal)
      VALUES (@seq, @at, @threadId, @kind, @outcome, @node, @tool, @principal, @data, @dedupeKey, @prevHash, @hash, @seal)`);
    // IMMEDIATE takes the write lock before reading the head, so no other writer can slip a record in between.
    this.#append = this.#db.transaction((entry: AuditEntry) => this.#appendUnlocked(entry)).immediate;
    this.#initializeHead();
  }

  /** Where the signed head is kept ("memory" or a file path). */
  get headLocation(): string {
    return this.#anchor.location;
  }

  /** Fingerprint of the key that seals this journal. */
  get keyId(): string {
    return this.#key.id;
  }

  /** A keyed digest of a masked value, under this journal's audit key: see `AuditKey.valueDigest`. */
  valueDigest(text: string): string {
    return this.#key.valueDigest(text);
  }

  /** @throws {GovernorError} VALUE_UNSERIALIZABLE when `entry.data` holds a circular reference. */
  append(entry: AuditEntry): AuditRecord {
    const record = this.#append(entry);
    if (this.#db.inTransaction) {
      // Inside a caller's transaction (a memory batch, say) the record may still be rolled
      // back: anchor it only once that transaction has ended, and only if it is still there.
      // better-sqlite3 transactions are synchronous, so a microtask runs after the commit.
      if (this.#deferred.length === 0) queueMicrotask(() => this.#anchorDeferred());
      this.#deferred.push(record);
    } else {
      this.#anchor.appended(record.seq, record.hash, this.#hashAt);
    }
    return record;
  }

  list(threadId?: string): AuditRecord[] {
    const rows = threadId ? this.#listThread.all(threadId) : this.#listAll.all();
    return rows.map(toRecord);
  }

  /**
   * The run's records that match `query`, through the call and kind indexes: the rows SQLite
   * finds are kept only when their own fields match (`matchesAuditQuery`), and `verify`
   * reports a record whose data the index reads otherwise than the chain does.
   */
  find(query: AuditQuery): AuditRecord[] {
    return this.#queries
      .rows(query)
      .map(toRecord)
      .filter((record) => matchesAuditQuery(record, query));
  }

  /**
   * Walks the whole chain, checks every seal and the signed head, and names the first record
   * that does not hold. This process's own appends are anchored first.
   */
  verify() {
    this.flush();
    // The head is read before the records: it is written after the records it names, so it never names more than are read.
    const head = this.#anchor.read();
    // Streamed, one row at a time, as arrays: better-sqlite3 builds a row object field by field,
    // which cost more than a third of reading 100,000 records; a literal of one shape costs little.
    const rows = this.#db.prepare<[], unknown[]>(VERIFY_SQL).raw().iterate();
    return verifyChain(
      (function* () {
        for (const row of rows) yield indexedAsStored(verifiedRow(row));
      })(),
      this.#key,
      head,
      { hash: storedRecordHash },
    );
  }

  /** Writes the pending head now. `close()` does this; call it before handing the files to someone else. */
  flush(): void {
    this.#anchorDeferred();
    this.#anchor.flush();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.#anchor.cancel();
      this.#db.close();
    }
  }

  /** Anchors the records appended inside a caller's transaction that are still in the journal. */
  #anchorDeferred(): void {
    const records = this.#deferred.splice(0);
    if (!this.#db.open || this.#db.inTransaction) {
      if (this.#db.open) this.#deferred.unshift(...records);
      return;
    }
    for (const record of records) {
      if (this.#hashAt(record.seq) === record.hash)
        this.#anchor.appended(record.seq, record.hash, this.#hashAt);
    }
  }

  #initializeHead(): void {
    const last = this.#head.get();
    // A journal whose end is sealed but which has no head lost it: that is for verify to report, not to paper over.
    if (!last) this.#anchor.initialize(0, GENESIS_HASH);
    else if (last.seal === null) this.#anchor.initialize(last.seq, last.hash);
  }

  #appendUnlocked(entry: AuditEntry): AuditRecord {
    if (entry.dedupeKey) {
      const existing = this.#byKey.get(entry.dedupeKey);
      if (existing) return markDeduplicated(toRecord(existing));
    }
    const head = this.#head.get();
    // Normalized before sealing, so the record sealed is exactly the record stored and read back.
    const data = toPlainJson(entry.data ?? {}) as Record<string, PlainJson>;
    const unsealed = {
      seq: (head?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      threadId: entry.threadId,
      kind: entry.kind,
      outcome: entry.outcome,
      node: entry.node,
      tool: entry.tool,
      principal: entry.principal,
      data,
      dedupeKey: entry.dedupeKey,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const hash = appendedRecordHash(unsealed);
    const record: AuditRecord = { ...unsealed, hash, seal: this.#key.sealRecord(hash) };
    this.#insert.run({
      ...record,
      node: record.node ?? null,
      tool: record.tool ?? null,
      principal: record.principal ?? null,
      dedupeKey: record.dedupeKey ?? null,
      data: JSON.stringify(record.data),
    });
    return record;
  }
}

/** Every column verify reads, in `Row`'s order, then the call id as the index reads it. */
const VERIFY_SQL = `SELECT seq, at, thread_id, kind, outcome, node, tool, principal, data, dedupe_key,
  prev_hash, hash, seal, ${INDEXED_CALL_ID} FROM audit_records ORDER BY seq`;

function verifiedRow(raw: unknown[]): Row & { indexed_call_id: unknown } {
  return {
    seq: raw[0] as number,
    at: raw[1] as string,
    thread_id: raw[2] as string,
    kind: raw[3] as string,
    outcome: raw[4] as string,
    node: raw[5] as string | null,
    tool: raw[6] as string | null,
    principal: raw[7] as string | null,
    data: raw[8] as string,
    dedupe_key: raw[9] as string | null,
    prev_hash: raw[10] as string,
    hash: raw[11] as string,
    seal: raw[12] as string | null,
    indexed_call_id: raw[13],
  };
}

function toRecord(row: Row): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    threadId: row.thread_id,
    kind: row.kind as AuditRecord["kind"],
    outcome: row.outcome,
    node: row.node ?? undefined,
    tool: row.tool ?? undefined,
    principal: row.principal ?? undefined,
    data: parseData(row.data),
    dedupeKey: row.dedupe_key ?? undefined,
    prevHash: row.prev_hash,
    hash: row.hash,
    seal: row.seal ?? undefined,
  };
}

/**
 * The record as verify reads it. Data whose call id SQLite reads otherwise than `JSON.parse`
 * does (a key written twice: SQLite takes the first, JavaScript the last) would hide the
 * record from `find` while its hash still held, so it is read as changed: this journal never
 * writes such data, only an edit of the file does.
 */
function indexedAsStored(row: Row & { indexed_call_id: unknown }): AuditRecord {
  const record = toRecord(row);
  const callId = record.data.callId;
  if (typeof callId === "string" && callId !== row.indexed_call_id)
    return { ...record, data: { $unparseable: row.data } };
  return record;
}

/**
 * Stored data as written. Text that is not a JSON object (only an edit of the file makes
 * that) is kept as text, so verify reports the record as changed (its hash no longer
 * matches) instead of throwing.
 */
function parseData(text: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data))
      return data as Record<string, unknown>;
  } catch {
    // reported below
  }
  return { $unparseable: text };
}
