import type { AuditQuery } from "@governor/observability";
import { AUDIT_COLUMNS } from "./audit-rows.js";

/**
 * The SQL that answers `query` through `audit_records_lookup` (run, kind, call, seq), and its
 * parameters: the statement the SQLite journal runs, in PostgreSQL's terms. Rows found are
 * still filtered by `matchesAuditQuery`, so the `call_id` column never decides alone.
 */
export function auditFindSql(query: AuditQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [query.threadId];
  const where = ["thread_id = $1"];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.callId !== undefined) where.push(`call_id = ${bind(query.callId)}`);
  if (query.kind !== undefined) where.push(`kind = ${bind(query.kind)}`);
  // No kind at all matches nothing, as `matchesAuditQuery` says.
  if (query.kinds !== undefined) where.push(`kind = ANY(${bind([...query.kinds])}::text[])`);
  if (query.outcome !== undefined) where.push(`outcome = ${bind(query.outcome)}`);
  if (query.node !== undefined) where.push(`node = ${bind(query.node)}`);
  const order = query.newest ? "ORDER BY seq DESC LIMIT 1" : "ORDER BY seq";
  return { sql: `SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE ${where.join(" AND ")} ${order}`, params };
}
