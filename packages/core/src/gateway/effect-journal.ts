import { type Awaitable, toPlainJson } from "@governor/observability";
import Database from "better-sqlite3";

/** Why a started effect failed: the handler threw, or it gave no result in time. */
export type EffectFailure = "failed" | "timeout";

/** What the journal knows of one side effect. */
export type EffectRecord =
  | { readonly status: "started"; readonly key: string; readonly tool: string }
  | {
      readonly status: "committed";
      readonly key: string;
      readonly tool: string;
      /** The handler's result as `toPlainJson` normalized it; null when it could not be recorded. */
      readonly result: unknown;
      /** Set when the handler ran but its result could not be stored (a circular reference): why. */
      readonly unrecorded?: string;
    }
  | {
      readonly status: "failed";
      readonly key: string;
      readonly tool: string;
      readonly error: string;
      /** Absent means "failed" (journals that predate the distinction). */
      readonly reason?: EffectFailure;
    };

/**
 * The idempotency journal: a call's key is written before its handler runs and its result
 * after, so a resume or retry of a committed call reads the result back instead of acting again.
 * A key left "started" means the process stopped while the handler ran: the effect may or
 * may not have happened, and only an idempotent tool may be run again.
 */
export interface EffectJournal {
  get(key: string): Awaitable<EffectRecord | undefined>;
  /**
   * Claims the call before its handler runs: a compare-and-set on the key's status. It writes
   * "started" only while the key is still in the state the caller read (`expected`: no record
   * when undefined, else that status) and answers whether it did. False means another driver
   * (a second worker handed the same run) got there first: the caller must not run the handler.
   */
  start(key: string, tool: string, threadId: string, expected?: EffectRecord["status"]): Awaitable<boolean>;
  /**
   * Records that the handler returned, with its result normalized by `toPlainJson`.
   * @throws {GovernorError} VALUE_UNSERIALIZABLE when the result cannot be normalized: call
   * `commitUnrecorded` then, since the effect happened all the same.
   */
  commit(key: string, result: unknown): Awaitable<void>;
  /** Records that the handler returned a result that cannot be stored: the effect happened, its result is lost. */
  commitUnrecorded(key: string, reason: string): Awaitable<void>;
  fail(key: string, error: string, reason?: EffectFailure): Awaitable<void>;
}

/** An effects row as both backends store it: the result as JSON text, NULL when it could not be kept. */
export interface EffectRow {
  readonly tool: string;
  readonly status: EffectRecord["status"];
  readonly result: string | null;
  readonly error: string | null;
  readonly reason: string | null;
}

/** What the journal knows of a key, read from its stored row (the same on SQLite and PostgreSQL). */
export function effectRecordOf(key: string, row: EffectRow): EffectRecord {
  if (row.status === "committed") {
    // A committed row without a result is an effect whose result could not be stored; `commit` always writes JSON text.
    if (row.result === null)
      return {
        status: "committed",
        key,
        tool: row.tool,
        result: null,
        unrecorded: row.error ?? "no result recorded",
      };
    return { status: "committed", key, tool: row.tool, result: JSON.parse(row.result) };
  }
  if (row.status === "failed") {
    const reason = row.reason === "timeout" ? "timeout" : "failed";
    return { status: "failed", key, tool: row.tool, error: row.error ?? "", reason };
  }
  return { status: "started", key, tool: row.tool };
}

type Row = {
  key: string;
  tool: string;
  status: EffectRecord["status"];
  result: string | null;
  error: string | null;
  reason: string | null;
};

export class SqliteEffectJournal implements EffectJournal {
  readonly #get: Database.Statement<[string], Row>;
  readonly #start: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #commitUnrecorded: Database.Statement;
  readonly #fail: Database.Statement;
  readonly #db: Database.Database;

  constructor(database: string | Database.Database) {
    const db = typeof database === "string" ? new Database(database) : database;
    this.#db = db;
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS effects (
      key TEXT PRIMARY KEY,
      thread_id TEXT NOT NULL,
      tool TEXT NOT NULL,
      status TEXT NOT NULL,
      result TEXT,
      error TEXT,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      reason TEXT
    )`);
    // Journals written before failures had a reason lack the column.
    const columns = db.prepare("SELECT name FROM pragma_table_info('effects')").all() as { name: string }[];
    if (!columns.some((column) => column.name === "reason"))
      db.exec("ALTER TABLE effects ADD COLUMN reason TEXT");
    this.#get = db.prepare("SELECT key, tool, status, result, error, reason FROM effects WHERE key = ?");
    this.#start = db.prepare(`INSERT INTO effects (key, thread_id, tool, status, started_at)
      VALUES (?, ?, ?, 'started', ?)
      ON CONFLICT (key) DO UPDATE SET status = 'started', error = NULL, reason = NULL,
        started_at = excluded.started_at`);
    this.#commit = db.prepare(
      "UPDATE effects SET status = 'committed', result = ?, finished_at = ? WHERE key = ?",
    );
    this.#commitUnrecorded = db.prepare(
      "UPDATE effects SET status = 'committed', result = NULL, error = ?, finished_at = ? WHERE key = ?",
    );
    this.#fail = db.prepare(
      "UPDATE effects SET status = 'failed', error = ?, reason = ?, finished_at = ? WHERE key = ?",
    );
  }

  get(key: string): EffectRecord | undefined {
    const row = this.#get.get(key);
    return row && effectRecordOf(key, row);
  }

  // Read and write in one immediate transaction: SQLite lets one writer in at a time, so
  // the check and the claim are atomic across every connection and process.
  start(key: string, tool: string, threadId: string, expected?: EffectRecord["status"]): boolean {
    return this.#db
      .transaction(() => {
        if (this.get(key)?.status !== expected) return false;
        this.#start.run(key, threadId, tool, new Date().toISOString());
        return true;
      })
      .immediate();
  }

  commit(key: string, result: unknown): void {
    this.#commit.run(JSON.stringify(toPlainJson(result)), new Date().toISOString(), key);
  }

  commitUnrecorded(key: string, reason: string): void {
    this.#commitUnrecorded.run(reason, new Date().toISOString(), key);
  }

  fail(key: string, error: string, reason: EffectFailure = "failed"): void {
    this.#fail.run(error, reason, new Date().toISOString(), key);
  }
}
