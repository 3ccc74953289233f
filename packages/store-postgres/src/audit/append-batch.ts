import {
  type AuditKey,
  type AuditRecord,
  GENESIS_HASH,
  markDeduplicated,
  recordHash,
} from "@governor/observability";
import pg from "pg";
import type { PreparedEntry } from "./audit-entry.js";
import { type HeadRow, headReadOf, signedHead } from "./audit-head-row.js";
import { AUDIT_COLUMNS, type AuditRow, recordOf } from "./audit-rows.js";
import { AUDIT_CHAIN_LOCK } from "./audit-schema.js";
import { inTransaction } from "./in-transaction.js";

const { escapeLiteral } = pg;

/**
 * The end of the chain, the head, and the records already holding any of `keys` (the batch's
 * dedupe keys), in one statement.
 *
 * It runs in the same round trip as BEGIN and the lock, after them, so the keys are written
 * into the text rather than bound (a statement with parameters travels alone), escaped by pg's
 * own `escapeLiteral`; `prepareEntry` has already refused a key with a NUL.
 */
function stateSql(keys: readonly string[]): string {
  return `SELECT last.seq, last.hash, head.records, head.hash AS head_hash, head.at, head.key_id, head.seal,
  (SELECT json_agg(r) FROM (SELECT ${AUDIT_COLUMNS} FROM audit_records
    WHERE dedupe_key = ANY(ARRAY[${keys.map(escapeLiteral).join(", ")}]::text[])) r) AS existing
FROM (SELECT 1) one
LEFT JOIN LATERAL (SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1) last ON true
LEFT JOIN audit_head head ON head.id = 1`;
}

type StateRow = {
  seq: string | null;
  hash: string | null;
  records: string | null;
  head_hash: string | null;
  at: string | null;
  key_id: string | null;
  seal: string | null;
  existing: AuditRow[] | null;
};

/** The batch's records, one array per column: one INSERT whatever the batch's size. */
const INSERT_RECORDS = `INSERT INTO audit_records
    (seq, at, thread_id, kind, outcome, node, tool, principal, data, call_id, dedupe_key, prev_hash, hash, seal)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING seq`;

/** The records, and the head moved to their end, in one statement (one round trip under the lock). */
const INSERT_AND_MOVE_HEAD = `WITH inserted AS (${INSERT_RECORDS}),
  head AS (INSERT INTO audit_head (id, records, hash, at, key_id, seal) VALUES (1, $15, $16, $17, $18, $19)
    ON CONFLICT (id) DO UPDATE SET records = EXCLUDED.records, hash = EXCLUDED.hash, at = EXCLUDED.at,
      key_id = EXCLUDED.key_id, seal = EXCLUDED.seal)
  SELECT count(*)::int AS inserted FROM inserted`;

/** The records alone, the head left where it is (see `headFollows`). */
const INSERT_ONLY = `WITH inserted AS (${INSERT_RECORDS}) SELECT count(*)::int AS inserted FROM inserted`;

/**
 * A dedupe key was taken by a writer that did not hold the chain's lock (nothing in Governor
 * writes so): the batch is rolled back, and the journal tries it again.
 */
export class ChainRaced extends Error {
  constructor() {
    super("another writer appended to the audit journal without holding its lock");
    this.name = "ChainRaced";
  }
}

/**
 * Appends a batch to the one chain in one transaction: each entry's record, in order, or for
 * an entry whose dedupe key is already kept, the record that holds it.
 *
 * Why one global chain under one lock, rather than per-thread chains anchored in a global
 * one: every record then has one place in one sequence, and `verify` walks it exactly as it
 * walks the SQLite journal (same hashes, same verdicts, the same code). The price is that
 * appends to the chain are serial across every worker: the lock is held for two round trips
 * per batch (the records with the head, then COMMIT), not per record, and appends made together
 * in one process share a transaction, so throughput grows with the batch rather than being one
 * commit per record. Per-thread chains would let threads append in parallel, at the price of a
 * second kind of chain, an anchoring protocol and a verify that is no longer the one SQLite has.
 *
 * The lock is a transaction-level advisory lock, not `FOR UPDATE` on the head row: it exists
 * before the head row does (an empty journal), is released by commit, rollback or a dropped
 * connection alike, and works through a pooler in transaction mode.
 */
export function appendBatch(
  pool: pg.Pool,
  key: AuditKey,
  batch: readonly PreparedEntry[],
  holderTimeoutMs: number,
): Promise<AuditRecord[]> {
  const keys = [
    ...new Set(batch.flatMap((entry) => (entry.dedupeKey === undefined ? [] : [entry.dedupeKey]))),
  ];
  return inTransaction(
    pool,
    "appending to the audit journal",
    (client, begun) => appendLocked(client, key, batch, begun.at(-1)?.rows[0] as StateRow),
    // Under READ COMMITTED each statement reads what was committed when it started: the state
    // read follows the lock, so it sees the chain as the lock's last holder left it.
    `${appendBegin(holderTimeoutMs)}; ${stateSql(keys)}`,
  );
}

/**
 * How an append transaction begins, in one round trip: the chain's lock, and a bound on how
 * long the session may then sit idle inside the transaction. A worker frozen while it holds
 * the lock (a paused VM, a stopped process whose socket stays open) would otherwise stall
 * every writer on every machine; past the bound the server ends that session, which rolls its
 * batch back and frees the lock. The frozen worker's appends are refused; none is kept.
 */
export function appendBegin(holderTimeoutMs: number): string {
  return `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(holderTimeoutMs)}; SELECT ${AUDIT_CHAIN_LOCK}`;
}

async function appendLocked(
  client: pg.PoolClient,
  key: AuditKey,
  batch: readonly PreparedEntry[],
  state: StateRow,
): Promise<AuditRecord[]> {
  const kept = new Map((state.existing ?? []).map((row) => [row.dedupe_key, recordOf(row)]));

  const end = { records: Number(state.seq ?? 0), hash: state.hash ?? GENESIS_HASH };
  const written: { entry: PreparedEntry; record: AuditRecord }[] = [];
  const results = batch.map((entry) => {
    const existing = entry.dedupeKey === undefined ? undefined : kept.get(entry.dedupeKey);
    if (existing) return markDeduplicated({ ...existing });
    const record = sealedRecord(entry, end.records + 1, end.hash, key);
    end.records = record.seq;
    end.hash = record.hash;
    if (entry.dedupeKey !== undefined) kept.set(entry.dedupeKey, record);
    written.push({ entry, record });
    return record;
  });
  if (written.length === 0) return results;

  const columns = columnsOf(written);
  let statement: { sql: string; params: unknown[] } = { sql: INSERT_ONLY, params: columns };
  if (await headFollows(client, key, state)) {
    const head = signedHead(key, end.records, end.hash);
    statement = {
      sql: INSERT_AND_MOVE_HEAD,
      params: [...columns, head.records, head.hash, head.at, head.keyId, head.seal],
    };
  }
  const inserted = await client.query<{ inserted: number }>(statement.sql, statement.params);
  if (inserted.rows[0]?.inserted !== written.length) throw new ChainRaced();
  return results;
}

function sealedRecord(entry: PreparedEntry, seq: number, prevHash: string, key: AuditKey): AuditRecord {
  const { dataText: _text, callId: _callId, ...fields } = entry;
  const unsealed = { ...fields, seq, at: new Date().toISOString(), prevHash };
  const hash = recordHash(unsealed);
  return { ...unsealed, hash, seal: key.sealRecord(hash) };
}

/**
 * Whether the head moves to the new end of the chain. As `AuditAnchor` does for a head file:
 * only a valid head that names a record the chain still holds, with that hash, is extended.
 * A missing head over a journal that has records, a head sealed otherwise, or one that names
 * more records than remain or another hash, is evidence of an edit: it stays for `verify`.
 */
async function headFollows(client: pg.PoolClient, key: AuditKey, state: StateRow): Promise<boolean> {
  const records = Number(state.seq ?? 0);
  const row =
    state.records === null
      ? undefined
      : ({
          records: state.records,
          hash: state.head_hash,
          at: state.at,
          key_id: state.key_id,
          seal: state.seal,
        } as HeadRow);
  const head = headReadOf(row, key);
  if (head.status === "none") return records === 0;
  if (head.status === "invalid") return false;
  if (head.head.records === records) return head.head.hash === (state.hash ?? GENESIS_HASH);
  if (head.head.records > records) return false;
  if (head.head.records === 0) return head.head.hash === GENESIS_HASH;
  const named = await client.query<{ hash: string }>("SELECT hash FROM audit_records WHERE seq = $1", [
    head.head.records,
  ]);
  return named.rows[0]?.hash === head.head.hash;
}

function columnsOf(written: readonly { entry: PreparedEntry; record: AuditRecord }[]): unknown[][] {
  const column = (value: (record: AuditRecord, entry: PreparedEntry) => unknown) =>
    written.map(({ record, entry }) => value(record, entry));
  return [
    column((record) => record.seq),
    column((record) => record.at),
    column((record) => record.threadId),
    column((record) => record.kind),
    column((record) => record.outcome),
    column((record) => record.node ?? null),
    column((record) => record.tool ?? null),
    column((record) => record.principal ?? null),
    column((_, entry) => entry.dataText),
    column((_, entry) => entry.callId),
    column((record) => record.dedupeKey ?? null),
    column((record) => record.prevHash),
    column((record) => record.hash),
    column((record) => record.seal ?? null),
  ];
}
