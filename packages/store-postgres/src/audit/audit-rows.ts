import type { AuditRecord } from "@governor/observability";

/** A row of `audit_records` as pg returns it: BIGINT arrives as text, NULL as null. */
export interface AuditRow {
  seq: string | number;
  at: string;
  thread_id: string;
  kind: string;
  outcome: string;
  node: string | null;
  tool: string | null;
  principal: string | null;
  data: string;
  call_id: string | null;
  dedupe_key: string | null;
  prev_hash: string;
  hash: string;
  seal: string | null;
}

/** Every column, in `AuditRow`'s order: what `list`, `find` and `verify` select. */
export const AUDIT_COLUMNS =
  "seq, at, thread_id, kind, outcome, node, tool, principal, data, call_id, dedupe_key, prev_hash, hash, seal";

/** The record a row holds, as `list` and `find` return it. */
export function recordOf(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
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
 * The record as `verify` reads it. A `call_id` column that disagrees with the data's call id
 * (either was edited) would make `find` answer otherwise than the chain says, while the hash
 * still held: such a record reads as changed. This journal never writes one.
 */
export function verifiedRecordOf(row: AuditRow): AuditRecord {
  const record = recordOf(row);
  const callId = record.data.callId;
  if ((typeof callId === "string" ? callId : null) !== row.call_id)
    return { ...record, data: { $unparseable: row.data } };
  return record;
}

/**
 * Stored data as written. Text that is not a JSON object (only an edit of the table makes
 * that) is kept as text, so verify reports the record as changed instead of throwing.
 */
function parseData(text: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === "object" && data !== null && !Array.isArray(data))
      return data as Record<string, unknown>;
  } catch {
    // reported by verify: the hash no longer matches
  }
  return { $unparseable: text };
}
