import type pg from "pg";
import { inTransaction } from "./in-transaction.js";

/**
 * The audit journal's tables in PostgreSQL: the records of the one chain, and its signed head.
 *
 * Every column the chain hash covers is kept as the exact text that was hashed: `at` as the
 * ISO string (a timestamptz would re-format it), `data` as the JSON text written (JSONB
 * re-orders keys and drops duplicates, so the text read back would not be the text sealed).
 * `seq` is the primary key: two writers can never hold the same place in the chain.
 *
 * `call_id` is the `data.callId` the appender read, kept in a column so `find` by call
 * uses an index; SQLite derives it with an expression index over the JSON text instead, which
 * PostgreSQL cannot do safely (`data::jsonb` fails on text JSONB refuses, such as `\u0000`).
 * `verify` checks the column against the data, so an edit of either is reported.
 *
 * The head is one row (`id = 1`), moved in the same transaction as every append, sealed with
 * the audit key: a reader who removes records from the end leaves a head that names more.
 */
export const AUDIT_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audit_records (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  outcome TEXT NOT NULL,
  node TEXT,
  tool TEXT,
  principal TEXT,
  data TEXT NOT NULL,
  call_id TEXT,
  dedupe_key TEXT UNIQUE,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  seal TEXT
);
CREATE INDEX IF NOT EXISTS audit_records_lookup ON audit_records (thread_id, kind, call_id, seq);
CREATE TABLE IF NOT EXISTS audit_head (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  records BIGINT NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  key_id TEXT NOT NULL,
  seal TEXT NOT NULL
);
`;

/**
 * The advisory lock every append holds for its transaction: the two-key form, whose keys
 * never meet the one-key locks other stores take (`pg_advisory_xact_lock(hashtext(…))`).
 * The first key spells "GvAu" (Governor audit); the second names the chain.
 */
export const AUDIT_CHAIN_LOCK = "pg_advisory_xact_lock(1198932341, 1)";

/**
 * Creates the audit tables if they are missing, under the chain's lock so two processes
 * opening a new database at once do not race on CREATE TABLE. The store's numbered migrations include
 * `AUDIT_SCHEMA_SQL` and are what a deployment runs; this is for a journal used on its own
 * (tests, a tool that only audits).
 */
export async function applyAuditSchema(pool: pg.Pool): Promise<void> {
  await inTransaction(
    pool,
    "creating the audit tables",
    async (client) => {
      await client.query(AUDIT_SCHEMA_SQL);
    },
    `BEGIN; SELECT ${AUDIT_CHAIN_LOCK}`,
  );
}
