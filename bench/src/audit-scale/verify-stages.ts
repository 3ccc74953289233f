import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  type AuditRecord,
  auditAnchorFor,
  SqliteAuditJournal,
  storedRecordHash,
} from "@governor/observability";
import Database from "better-sqlite3";

/** CPU and wall of one stage over every record, in milliseconds. */
export interface StageCost {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Where `SqliteAuditJournal.verify()` spends its time, each stage timed alone over the whole journal. */
export interface VerifyStages {
  /** verify() itself, in this process: read, parse, hash, seal, link and head checks together. */
  readonly verify: StageCost;
  /** Reading the rows (SQLite, streamed as arrays; the call id as the lookup index reads it included). */
  readonly read: StageCost;
  /** JSON.parse of each record's stored data. */
  readonly parse: StageCost;
  /** Canonical JSON and SHA-256 of each record (`storedRecordHash`). */
  readonly hash: StageCost;
  /** HMAC-SHA256 of each record's hash under the audit key, compared in constant time. */
  readonly seal: StageCost;
}

/** The same columns and expression `SqliteAuditJournal.verify` reads. */
const READ_SQL = `SELECT seq, at, thread_id, kind, outcome, node, tool, principal, data, dedupe_key,
  prev_hash, hash, seal, (CASE WHEN json_valid(data) THEN json_extract(data, '$.callId') END)
  FROM audit_records ORDER BY seq`;

function timed<T>(run: () => T): { value: T; cost: StageCost } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, cost: { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start } };
}

/**
 * Times verify() on the store in `dir`, then each of its stages alone over the same records,
 * so a change to one stage shows where it went.
 *
 * @throws {Error} when the journal does not verify, or a stage disagrees with the stored hash or seal.
 */
export function verifyStages(dir: string): VerifyStages {
  const options = auditAnchorFor(dir);
  const journal = new SqliteAuditJournal(join(dir, "governor.db"), options);
  let verify: ReturnType<typeof timed<ReturnType<SqliteAuditJournal["verify"]>>>;
  try {
    verify = timed(() => journal.verify());
  } finally {
    journal.close();
  }
  const verified = verify.value;
  if (!verified.ok) throw new Error(`audit scale: the seeded journal does not verify: ${verified.reason}`);

  const db = new Database(join(dir, "governor.db"), { readonly: true });
  try {
    const read = timed(() => {
      const rows: unknown[][] = [];
      for (const row of db.prepare<[], unknown[]>(READ_SQL).raw().iterate()) rows.push(row);
      return rows;
    });
    const parse = timed(() =>
      read.value.map((row) => JSON.parse(row[8] as string) as Record<string, unknown>),
    );
    const records = read.value.map(
      (row, i): Omit<AuditRecord, "hash" | "seal"> => ({
        seq: row[0] as number,
        at: row[1] as string,
        threadId: row[2] as string,
        kind: row[3] as AuditRecord["kind"],
        outcome: row[4] as string,
        node: (row[5] as string | null) ?? undefined,
        tool: (row[6] as string | null) ?? undefined,
        principal: (row[7] as string | null) ?? undefined,
        data: parse.value[i] as Record<string, unknown>,
        dedupeKey: (row[9] as string | null) ?? undefined,
        prevHash: row[10] as string,
      }),
    );
    const hash = timed(() => records.filter((record, i) => storedRecordHash(record) !== read.value[i]?.[11]));
    if (hash.value.length)
      throw new Error(`audit scale: ${hash.value.length} records do not match their hash`);
    const { key } = options;
    const seal = timed(() =>
      read.value.filter((row) => !key.matches(key.sealRecord(row[11] as string), row[12] as string)),
    );
    if (seal.value.length)
      throw new Error(`audit scale: ${seal.value.length} records do not match their seal`);
    return { verify: verify.cost, read: read.cost, parse: parse.cost, hash: hash.cost, seal: seal.cost };
  } finally {
    db.close();
  }
}
