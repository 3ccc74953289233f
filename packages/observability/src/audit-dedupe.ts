import type { AuditRecord } from "./audit-record.js";

/** Records an append handed back instead of writing: their entry's dedupe key was already in the journal. */
const deduplicated = new WeakSet<AuditRecord>();

/** Marks a record returned by a deduplicated append (called by journals, on the object they return). */
export function markDeduplicated(record: AuditRecord): AuditRecord {
  deduplicated.add(record);
  return record;
}

/**
 * Whether `append` returned this record without writing it: a node re-run on resume (or in
 * another process) appends its decisions again, and the journal keeps the first. Whoever
 * mirrors appends elsewhere (spans) reports a decision once, when it was made.
 */
export function isDeduplicated(record: AuditRecord): boolean {
  return deduplicated.has(record);
}
