import { type AuditRecord, type AuditVerification, GENESIS_HASH } from "./audit-record.js";
import { hashOf } from "./canonical-json.js";

/** The hash that seals a record: every field but the hash itself, with the previous record's hash inside. */
export function sealRecord(record: Omit<AuditRecord, "hash">): string {
  const { seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash } = record;
  return hashOf({ seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash });
}

/**
 * Checks a chain read in sequence order.
 *
 * A changed record fails its own seal, a deleted one leaves a gap in `seq` or a broken
 * `prevHash` link, a reordered one breaks the link; the first such record is named.
 */
export function verifyChain(records: Iterable<AuditRecord>): AuditVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const record of records) {
    count++;
    const fail = (reason: string): AuditVerification => ({
      ok: false,
      records: count,
      brokenAt: record.seq,
      reason,
    });
    if (record.seq !== expectedSeq) return fail(`expected record ${expectedSeq} here, found ${record.seq}`);
    if (record.prevHash !== prev)
      return fail(`record ${record.seq} does not link to the hash of record ${record.seq - 1}`);
    if (sealRecord(record) !== record.hash)
      return fail(`record ${record.seq} was changed after it was written`);
    prev = record.hash;
    expectedSeq++;
  }
  return { ok: true, records: count, head: prev };
}
