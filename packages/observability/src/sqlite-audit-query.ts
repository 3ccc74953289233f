import type Database from "better-sqlite3";
import type { AuditQuery } from "./audit-record.js";

/**
 * The call id SQLite reads from a record's stored data: what the call index is built on. A
 * query must use this very text for SQLite to use the index. Data that is not JSON (only an
 * edit of the file makes that) indexes as NULL rather than failing the index, so a journal
 * with such a record still opens and `verify` names it.
 */
export const INDEXED_CALL_ID = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.callId') END)";

/**
 * The one index `find` and `list` read through: a run's records by kind, then by the call
 * they are about, in chain order. It replaces the index by run alone (`list` of a run sorts
 * what this finds), so an append maintains as many indexes as before `find` existed: each
 * index costs an insert about 10 µs. An expression index, not a stored column: SQLite derives
 * it from the data itself on every insert, by any process of any version, so no writer can
 * leave it out of step, and a journal written before it existed gains it when next opened.
 *
 * A lookup by call names the kinds it wants: SQLite then seeks (run, kind, call) once per
 * kind. A lookup by call alone reads the run's index entries (not its records).
 */
export const AUDIT_QUERY_INDEXES = `
  CREATE INDEX IF NOT EXISTS audit_records_lookup ON audit_records (thread_id, kind, ${INDEXED_CALL_ID}, seq);
  DROP INDEX IF EXISTS audit_records_thread;
`;

/**
 * The statement that answers each shape of `AuditQuery`, prepared once per shape: preparing
 * costs more than running a lookup through an index.
 */
export class AuditQueryStatements<Row> {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement<unknown[], Row>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** The rows that may match `query`, in chain order (only the newest with `newest`). */
  rows(query: AuditQuery): Row[] {
    const { sql, params } = auditQuerySql(query);
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare<unknown[], Row>(sql);
      this.#statements.set(sql, statement);
    }
    return statement.all(...params);
  }
}

/** The SQL that answers `query` through `audit_records_lookup`, and its parameters. */
export function auditQuerySql(query: AuditQuery): { sql: string; params: unknown[] } {
  const where = ["thread_id = ?"];
  const params: unknown[] = [query.threadId];
  if (query.callId !== undefined) {
    where.push(`${INDEXED_CALL_ID} = ?`);
    params.push(query.callId);
  }
  if (query.kind !== undefined) {
    where.push("kind = ?");
    params.push(query.kind);
  }
  if (query.kinds !== undefined) {
    // No kind at all matches nothing, as `matchesAuditQuery` says.
    where.push(query.kinds.length ? `kind IN (${query.kinds.map(() => "?").join(", ")})` : "0");
    params.push(...query.kinds);
  }
  if (query.outcome !== undefined) {
    where.push("outcome = ?");
    params.push(query.outcome);
  }
  if (query.node !== undefined) {
    where.push("node = ?");
    params.push(query.node);
  }
  const order = query.newest ? "DESC LIMIT 1" : "";
  return { sql: `SELECT * FROM audit_records WHERE ${where.join(" AND ")} ORDER BY seq ${order}`, params };
}
