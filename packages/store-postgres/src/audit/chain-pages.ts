import type { AuditRecord } from "@governor/observability";
import type pg from "pg";
import { AUDIT_COLUMNS, type AuditRow, verifiedRecordOf } from "./audit-rows.js";

/** Below any seq: the first page starts here, so a record renumbered to 0 or less is read too. */
const BEFORE_ALL = "-9223372036854775808";

/**
 * The whole chain in seq order, read `pageSize` records at a time by seq (keyset paging, an
 * index seek per page), so `verify` holds one page in memory whatever the journal's length.
 * Read inside the caller's REPEATABLE READ transaction: every page, and the head, come from
 * one snapshot, however many appends other workers commit meanwhile.
 *
 * The next page is asked for before the records of this one are handed out, so the database
 * reads it while the caller hashes.
 */
export async function* chainPages(client: pg.PoolClient, pageSize: number): AsyncGenerator<AuditRecord> {
  const page = (after: string) => {
    const rows = client
      .query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        after,
        pageSize,
      ])
      .then((result) => result.rows);
    // Left unread when verify stops at a broken record: its failure is not the caller's to see.
    rows.catch(() => undefined);
    return rows;
  };
  let next = page(BEFORE_ALL);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    const more = rows.length === pageSize && last !== undefined;
    if (more) next = page(String(last.seq));
    for (const row of rows) yield verifiedRecordOf(row);
    if (!more) return;
  }
}
