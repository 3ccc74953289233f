import Database from "better-sqlite3";
import { sealRecord, verifyChain } from "./audit-chain.js";
import { type AuditEntry, type AuditJournal, type AuditRecord, GENESIS_HASH } from "./audit-record.js";

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
};

/**
 * The audit journal in SQLite: one table, appended under a write transaction so two
 * processes sharing the file still produce one unbroken chain.
 */
export class SqliteAuditJournal implements AuditJournal {
  readonly #db: Database.Database;
  readonly #append: (entry: AuditEntry) => AuditRecord;
  readonly #byKey: Database.Statement<[string], Row>;
  readonly #insert: Database.Statement;
  readonly #head: Database.Statement<[], Pick<Row, "seq" | "hash">>;

  /** @param database a file path, `:memory:`, or an open better-sqlite3 connection to share. */
  constructor(database: string | Database.Database) {
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
        hash TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audit_records_thread ON audit_records (thread_id, seq);
    `);
    this.#byKey = this.#db.prepare("SELECT * FROM audit_records WHERE dedupe_key = ?");
    this.#head = this.#db.prepare("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1");
    this.#insert = this.#db.prepare(`INSERT INTO audit_records
      (seq, at, thread_id, kind, outcome, node, tool, principal, data, dedupe_key, prev_hash, hash)
      VALUES (@seq, @at, @threadId, @kind, @outcome, @node, @tool, @principal, @data, @dedupeKey, @prevHash, @hash)`);
    // IMMEDIATE takes the write lock before reading the head, so no other writer can slip a record in between.
    this.#append = this.#db.transaction((entry: AuditEntry) => this.#appendUnlocked(entry)).immediate;
  }

  append(entry: AuditEntry): AuditRecord {
    return this.#append(entry);
  }

  list(threadId?: string): AuditRecord[] {
    const rows = threadId
      ? this.#db
          .prepare<[string], Row>("SELECT * FROM audit_records WHERE thread_id = ? ORDER BY seq")
          .all(threadId)
      : this.#db.prepare<[], Row>("SELECT * FROM audit_records ORDER BY seq").all();
    return rows.map(toRecord);
  }

  verify() {
    const rows = this.#db.prepare<[], Row>("SELECT * FROM audit_records ORDER BY seq").iterate();
    return verifyChain(
      (function* () {
        for (const row of rows) yield toRecord(row);
      })(),
    );
  }

  close(): void {
    this.#db.close();
  }

  #appendUnlocked(entry: AuditEntry): AuditRecord {
    if (entry.dedupeKey) {
      const existing = this.#byKey.get(entry.dedupeKey);
      if (existing) return toRecord(existing);
    }
    const head = this.#head.get();
    const unsealed = {
      seq: (head?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      threadId: entry.threadId,
      kind: entry.kind,
      outcome: entry.outcome,
      node: entry.node,
      tool: entry.tool,
      principal: entry.principal,
      data: entry.data ?? {},
      dedupeKey: entry.dedupeKey,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...unsealed, hash: sealRecord(unsealed) };
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
    data: JSON.parse(row.data),
    dedupeKey: row.dedupe_key ?? undefined,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
