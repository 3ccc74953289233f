import type { AuditQuery, AuditRecord } from "./audit-record.js";

/**
 * Whether a record answers `query`: the one definition of a match, read from the record's
 * own fields (those its hash covers). A journal that answers `find` from an index keeps only
 * the rows this accepts, so an index that disagreed with a record's data could not make a
 * lookup trust a record its fields do not name.
 */
export function matchesAuditQuery(record: AuditRecord, query: AuditQuery): boolean {
  return (
    record.threadId === query.threadId &&
    (query.callId === undefined || record.data.callId === query.callId) &&
    (query.kind === undefined || record.kind === query.kind) &&
    (query.kinds === undefined || query.kinds.includes(record.kind)) &&
    (query.outcome === undefined || record.outcome === query.outcome) &&
    (query.node === undefined || record.node === query.node)
  );
}

/**
 * `find` for a journal that keeps its records in a list (in memory, in a test): its records
 * of the thread, filtered by `matchesAuditQuery`. Linear in the thread's records, so only for
 * journals that are small by nature; `SqliteAuditJournal` answers from an index.
 */
export function findInList(records: readonly AuditRecord[], query: AuditQuery): AuditRecord[] {
  const found = records.filter((record) => matchesAuditQuery(record, query));
  return query.newest ? found.slice(-1) : found;
}
