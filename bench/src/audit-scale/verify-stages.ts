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
 * Times each stage of verify() alone over the records of the store in `dir`, then verify()
 * itself, so a change to one stage shows where it went.
 *
 * @throws {Error} when the journal does not verify, or a stage disagrees with the stored hash or seal.
 */
export function verifyStages(dir: string): VerifyStages {
  const options = auditAnchorFor(dir);
  const db = new Database(join(dir, "governor.db"), { readonly: true });
  try {
    // Streamed and dropped, as verify reads them: keeping 100,000 rows would time the GC instead.
    const read = timed(() => {
      let count = 0;
      for (const _ of db.prepare<[], unknown[]>(READ_SQL).raw().iterate()) count++;
      return count;
    });
    // The later stages each run over the rows read once more, untimed.
    const rows = db.prepare<[], unknown[]>(READ_SQL).raw().all();
    if (rows.length !== read.value) throw new Error("audit scale: the journal changed while it was read");
    const parse = timed(() => rows.map((row) => JSON.parse(row[8] as string) as Record<string, unknown>));
    const records = rows.map(
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
    const hash = timed(() => records.filter((record, i) => storedRecordHash(record) !== rows[i]?.[11]));
    if (hash.value.length)
      throw new Error(`audit scale: ${hash.value.length} records do not match their hash`);
    const { key } = options;
    const seal = timed(() =>
      rows.filter((row) => !key.matches(key.sealRecord(row[11] as string), row[12] as string)),
    );
    if (seal.value.length)
      throw new Error(`audit scale: ${seal.value.length} records do not match their seal`);
    return {
      verify: timedVerify(dir, options),
      read: read.cost,
      parse: parse.cost,
      hash: hash.cost,
      seal: seal.cost,
    };
  } finally {
    db.close();
  }
}

/** verify() itself, after the stages: the JIT has then warmed the same code for both. */
function timedVerify(dir: string, options: ReturnType<typeof auditAnchorFor>): StageCost {
  const journal = new SqliteAuditJournal(join(dir, "governor.db"), options);
  try {
    const { value, cost } = timed(() => journal.verify());
    if (!value.ok) throw new Error(`audit scale: the seeded journal does not verify: ${value.reason}`);
    return cost;
  } finally {
    journal.close();
  }
}
