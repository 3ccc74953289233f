import { AuditAnchor, type AuditHead, type AuditKey, type HeadRead } from "@governor/observability";

/** The one row of `audit_head` as pg returns it (BIGINT as text). */
export interface HeadRow {
  records: string | number;
  hash: string;
  at: string;
  key_id: string;
  seal: string;
}

/** Where the head is kept, for messages. */
export const HEAD_LOCATION = "the audit_head table";

/**
 * The head a row holds, checked as the SQLite journal checks its head file: a head sealed
 * with another key, or whose seal does not match its contents, is reported and never trusted.
 * `AuditAnchor.read` does the checking, over this row as its store, so the verdicts and their
 * words are the same for both journals.
 */
export function headReadOf(row: HeadRow | undefined, key: AuditKey): HeadRead {
  if (!row) return { status: "none" };
  const records = Number(row.records);
  if (!Number.isSafeInteger(records) || records < 0)
    return { status: "invalid", reason: `${HEAD_LOCATION} names ${row.records} records` };
  const found: HeadRead = {
    status: "found",
    head: { records, hash: row.hash, at: row.at, keyId: row.key_id, seal: row.seal },
  };
  const store = {
    location: HEAD_LOCATION,
    immediate: true,
    read: () => found,
    write: () => {
      throw new Error("a head read from a row is not written through AuditAnchor");
    },
  };
  return new AuditAnchor(key, store).read();
}

/** A new head for a chain of `records` records ending in `hash`, sealed with `key`. */
export function signedHead(key: AuditKey, records: number, hash: string): AuditHead {
  return { records, hash, at: new Date().toISOString(), keyId: key.id, seal: key.sealHead(records, hash) };
}
