import type { AuditHead, HeadRead } from "./audit-head.js";
import type { AuditKey } from "./audit-key.js";
import { type AuditProblem, type AuditRecord, type AuditVerification, GENESIS_HASH } from "./audit-record.js";
import { hashOf, sha256Hex } from "./canonical-json.js";
import { encodePlain, type PlainJson } from "./plain-json.js";

/**
 * The chain hash of a record: SHA-256 over every field but the hash and the seal, the
 * previous record's hash included. Public on purpose: anyone can recompute it, which is why
 * a record is also sealed with the audit key (`AuditKey.sealRecord`) and the hash alone
 * proves nothing against someone who can write the journal.
 */
export function recordHash(record: Omit<AuditRecord, "hash" | "seal">): string {
  const { seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash } = record;
  return hashOf({ seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash });
}

/**
 * `recordHash` for a record being appended, whose data `toPlainJson` has already normalized
 * and whose other fields are strings and a number: the same hash without normalizing twice
 * on the hot path. Verify recomputes every hash another way (`recordHash`, or for the SQLite
 * journal `storedRecordHash` over the data as parsed back), so the two are checked against each
 * other on every verify of a journal this wrote.
 */
export function appendedRecordHash(
  record: Omit<AuditRecord, "hash" | "seal" | "data"> & { data: PlainJson },
): string {
  const { seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash } = record;
  const fields: Record<string, PlainJson> = { seq, at, threadId, kind, outcome, data, prevHash };
  if (node !== undefined) fields.node = node;
  if (tool !== undefined) fields.tool = tool;
  if (principal !== undefined) fields.principal = principal;
  if (dedupeKey !== undefined) fields.dedupeKey = dedupeKey;
  return sha256Hex(encodePlain(fields));
}

export interface VerifyChainOptions {
  /**
   * How each record's hash is recomputed (default `recordHash`). A journal that knows how its
   * records were read passes an exact shortcut (`storedRecordHash`); undefined means the record
   * cannot have been sealed as it reads, so it is reported as changed.
   */
  readonly hash?: (record: Omit<AuditRecord, "hash" | "seal">) => string | undefined;
}

type Broken = { brokenAt: number; problem: AuditProblem; reason: string };

/**
 * Checks a chain read in sequence order against its key and its signed head.
 *
 * A record whose fields were edited fails its hash; one re-hashed after an edit (or
 * re-chained after a deletion or a swap) fails its seal, which only the key can make; a
 * deleted or inserted record leaves a gap in `seq`; records removed from the end leave fewer
 * records than the head names. The first record that does not hold is named, with why.
 * Unsealed records (written before seals existed) are never reported as intact.
 */
export function verifyChain(
  records: Iterable<AuditRecord>,
  key: AuditKey,
  headRead: HeadRead,
  options: VerifyChainOptions = {},
): AuditVerification {
  const walk = new ChainWalk(key, headRead, options);
  for (const record of records) if (!walk.next(record)) break;
  return walk.result();
}

/**
 * `verifyChain` over records read a page at a time (a journal in PostgreSQL streams its
 * chain in pages rather than holding it in memory): the same checks, the same verdicts.
 */
export async function verifyChainAsync(
  records: AsyncIterable<AuditRecord>,
  key: AuditKey,
  headRead: HeadRead,
  options: VerifyChainOptions = {},
): Promise<AuditVerification> {
  const walk = new ChainWalk(key, headRead, options);
  for await (const record of records) if (!walk.next(record)) break;
  return walk.result();
}

/** One pass over a chain in sequence order: fed record by record, then asked for the verdict. */
class ChainWalk {
  readonly #key: AuditKey;
  readonly #headRead: HeadRead;
  readonly #hash: NonNullable<VerifyChainOptions["hash"]>;
  readonly #head: AuditHead | undefined;
  #prev = GENESIS_HASH;
  #count = 0;
  #hashAtHead: string | undefined;
  #unsealed: { first: number; last: number; count: number } | undefined;
  #broken: Broken | undefined;

  constructor(key: AuditKey, headRead: HeadRead, options: VerifyChainOptions) {
    this.#key = key;
    this.#headRead = headRead;
    this.#hash = options.hash ?? recordHash;
    this.#head = headRead.status === "found" ? headRead.head : undefined;
    this.#hashAtHead = this.#head?.records === 0 ? GENESIS_HASH : undefined;
  }

  /** Checks the next record; false once the chain is broken (read no further). */
  next(record: AuditRecord): boolean {
    const key = this.#key;
    this.#count++;
    this.#broken = checkRecord(record, this.#count, this.#prev, this.#hash);
    if (this.#broken) return false;
    if (record.seal === undefined) {
      this.#unsealed = {
        first: this.#unsealed?.first ?? record.seq,
        last: record.seq,
        count: (this.#unsealed?.count ?? 0) + 1,
      };
    } else if (!key.matches(key.sealRecord(record.hash), record.seal)) {
      this.#broken = {
        brokenAt: record.seq,
        problem: "seal",
        reason: `record ${record.seq}'s seal does not match under audit key ${key.id}: it was rewritten and re-hashed by someone without the key (or the journal was sealed with another key)`,
      };
      return false;
    }
    if (record.seq === this.#head?.records) this.#hashAtHead = record.hash;
    this.#prev = record.hash;
    return true;
  }

  result(): AuditVerification {
    const count = this.#count;
    if (this.#unsealed) return unsealedResult(this.#unsealed, count, this.#broken);
    if (this.#broken) return { ok: false, records: count, ...this.#broken };
    const headProblem = checkHead(this.#headRead, count, this.#hashAtHead);
    if (headProblem) return { ok: false, records: count, ...headProblem };
    return {
      ok: true,
      records: count,
      head: this.#prev,
      anchored: this.#head?.records ?? 0,
      keyId: this.#key.id,
    };
  }
}

function checkRecord(
  record: AuditRecord,
  expectedSeq: number,
  prev: string,
  hash: NonNullable<VerifyChainOptions["hash"]>,
): Broken | undefined {
  if (record.seq !== expectedSeq)
    return {
      brokenAt: expectedSeq,
      problem: "gap",
      reason: `expected record ${expectedSeq} here, found ${record.seq}: records were removed or inserted`,
    };
  if (record.prevHash !== prev)
    return {
      brokenAt: record.seq,
      problem: "link",
      reason: `record ${record.seq} does not link to the hash of record ${record.seq - 1}`,
    };
  if (hash(record) !== record.hash)
    return {
      brokenAt: record.seq,
      problem: "changed",
      reason: `record ${record.seq} was changed after it was written: its fields do not match its hash`,
    };
  return undefined;
}

function unsealedResult(
  unsealed: { first: number; last: number; count: number },
  records: number,
  broken: Broken | undefined,
): AuditVerification {
  const range =
    unsealed.first === unsealed.last
      ? `record ${unsealed.first}`
      : `records ${unsealed.first}–${unsealed.last}`;
  const also = broken ? `; the chain also breaks at record ${broken.brokenAt}: ${broken.reason}` : "";
  return {
    ok: false,
    records,
    brokenAt: unsealed.first,
    problem: "unsealed",
    reason: `${unsealed.count} record(s) carry no seal (${range}): written before audit records were keyed, or their seal was erased. Their plain hash chain proves nothing against someone who could write the journal${also}`,
  };
}

function checkHead(headRead: HeadRead, records: number, hashAtHead: string | undefined): Broken | undefined {
  if (headRead.status === "invalid")
    return {
      brokenAt: records,
      problem: "head",
      reason: `the signed head cannot be trusted: ${headRead.reason}`,
    };
  if (headRead.status === "none")
    return records === 0
      ? undefined
      : {
          brokenAt: records,
          problem: "head",
          reason: `no signed head found for a journal of ${records} records: it was deleted or moved, so records removed from the end could not be detected`,
        };
  const { head } = headRead;
  if (head.records > records)
    return {
      brokenAt: records + 1,
      problem: "truncated",
      reason: `the signed head (${head.at}) says the journal had ${head.records} records; only ${records} remain: ${head.records === records + 1 ? `record ${head.records} was` : `records ${records + 1}–${head.records} were`} removed`,
    };
  if (hashAtHead !== head.hash)
    return {
      brokenAt: head.records,
      problem: "head-mismatch",
      reason: `record ${head.records} is not the record the signed head (${head.at}) names: the journal was cut and written again after it`,
    };
  return undefined;
}
