import { GovernorError } from "@governor/errors";
import type Database from "better-sqlite3";

import type { RunFilter, RunPage, RunRecord, RunStatus, RunStore } from "../store/run-store.js";

export type { RunFilter, RunPage, RunRecord, RunStatus };

type Row = {
  thread_id: string;
  workflow: string;
  source: string;
  status: RunStatus;
  principal: string;
  error: string | null;
  created_at: string;
  updated_at: string;
};

/**
 * The runs table. Its statements are prepared once, when the registry is made: preparing
 * costs more than running one of them, and a run writes its status on every start and end.
 */
export class RunRegistry implements RunStore {
  readonly #insert: Database.Statement;
  readonly #setStatus: Database.Statement;
  readonly #get: Database.Statement<[string], Row>;
  readonly #byStatus: Database.Statement<[string], Row>;
  readonly #all: Database.Statement<[], Row>;
  readonly #from: Database.Statement<[string, number], Row>;
  readonly #input: Database.Statement<[string], { input: string | null }>;
  readonly #answer: Database.Statement<[string], { answer: string | null }>;
  readonly #setAnswer: Database.Statement;
  readonly #db: Database.Database;
  /** find/count statements by the filters they take: prepared on first use, at most sixteen. */
  readonly #filtered = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS runs (
      thread_id TEXT PRIMARY KEY,
      workflow TEXT NOT NULL,
      source TEXT NOT NULL,
      status TEXT NOT NULL,
      principal TEXT NOT NULL,
      error TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    // Listings are newest first, filtered and paged (governor runs, cost --since): the index
    // walks them in order and stops at the page's end instead of sorting the whole table.
    db.exec("CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created_at)");
    // Stores made before runs could be queued lack the columns a queued run keeps.
    const columns = new Set(
      (db.prepare("SELECT name FROM pragma_table_info('runs')").all() as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    if (!columns.has("input")) db.exec("ALTER TABLE runs ADD COLUMN input TEXT");
    if (!columns.has("answer")) db.exec("ALTER TABLE runs ADD COLUMN answer TEXT");
    this.#db = db;
    this.#insert =
      db.prepare(`INSERT INTO runs (thread_id, workflow, source, status, principal, created_at, updated_at, input)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#input = db.prepare("SELECT input FROM runs WHERE thread_id = ?");
    this.#answer = db.prepare("SELECT answer FROM runs WHERE thread_id = ?");
    this.#setAnswer = db.prepare("UPDATE runs SET answer = ?, updated_at = ? WHERE thread_id = ?");
    this.#setStatus = db.prepare("UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE thread_id = ?");
    this.#get = db.prepare("SELECT * FROM runs WHERE thread_id = ?");
    this.#byStatus = db.prepare("SELECT * FROM runs WHERE status = ? ORDER BY created_at");
    this.#all = db.prepare("SELECT * FROM runs ORDER BY created_at");
    this.#from = db.prepare("SELECT * FROM runs WHERE thread_id >= ? ORDER BY thread_id LIMIT ?");
  }

  create(
    run: Pick<RunRecord, "threadId" | "workflow" | "source" | "principal"> & {
      readonly status?: "running" | "queued";
      readonly input?: unknown;
    },
  ): void {
    const now = new Date().toISOString();
    const input = run.input === undefined ? null : JSON.stringify(run.input);
    try {
      this.#insert.run(
        run.threadId,
        run.workflow,
        run.source,
        run.status ?? "running",
        JSON.stringify(run.principal),
        now,
        now,
        input,
      );
    } catch (error) {
      // The RunStore contract: a taken thread id is CONFIG_INVALID on every backend.
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new GovernorError("CONFIG_INVALID", `A run with thread id ${run.threadId} already exists`, {
          threadId: run.threadId,
        });
      throw error;
    }
  }

  input(threadId: string): unknown {
    const text = this.#input.get(threadId)?.input;
    return text == null ? undefined : JSON.parse(text);
  }

  setAnswer(threadId: string, answer: unknown): void {
    this.#setAnswer.run(
      answer === undefined ? null : JSON.stringify(answer),
      new Date().toISOString(),
      threadId,
    );
  }

  answer(threadId: string): unknown {
    const text = this.#answer.get(threadId)?.answer;
    return text == null ? undefined : JSON.parse(text);
  }

  setStatus(threadId: string, status: RunStatus, error?: string): void {
    this.#setStatus.run(status, error ?? null, new Date().toISOString(), threadId);
  }

  get(threadId: string): RunRecord | undefined {
    const row = this.#get.get(threadId);
    return row && toRecord(row);
  }

  /**
   * Runs whose thread id starts with `prefix`, at most `max` of them in id order: how an id
   * abbreviated in a listing is found again (one match, or several to say it is ambiguous).
   */
  withPrefix(prefix: string, max = 2): RunRecord[] {
    const rows: RunRecord[] = [];
    // The primary key's order puts every id with the prefix right after the prefix itself.
    for (const row of this.#from.all(prefix, max)) {
      if (!row.thread_id.startsWith(prefix)) break;
      rows.push(toRecord(row));
    }
    return rows;
  }

  /** Every run (or every run in `status`), oldest first. */
  list(status?: RunStatus): RunRecord[] {
    const rows = status ? this.#byStatus.all(status) : this.#all.all();
    return rows.map(toRecord);
  }

  /**
   * The runs that match `filter`, newest first (ties by thread id, so pages never overlap),
   * one page of them when `page` is given.
   *
   * @throws {GovernorError} CONFIG_INVALID when the page's limit is not a positive integer,
   *   its offset not a non-negative one, or `since` not a valid date.
   */
  find(filter: RunFilter = {}, page?: RunPage): RunRecord[] {
    if (page) {
      checkCount(page.limit, 1, "limit");
      checkCount(page.offset ?? 0, 0, "offset");
    }
    const { sql, params } = whereOf(filter);
    const paged = page ? " LIMIT ? OFFSET ?" : "";
    const rows = this.#statement(
      `SELECT * FROM runs${sql} ORDER BY created_at DESC, thread_id DESC${paged}`,
    ).all(...params, ...(page ? [page.limit, page.offset ?? 0] : [])) as Row[];
    return rows.map(toRecord);
  }

  /**
   * How many runs match `filter` (for "page 2 of 7").
   *
   * @throws {GovernorError} CONFIG_INVALID when `since` is not a valid date.
   */
  count(filter: RunFilter = {}): number {
    const { sql, params } = whereOf(filter);
    return (this.#statement(`SELECT COUNT(*) AS n FROM runs${sql}`).get(...params) as { n: number }).n;
  }

  // The SQL depends only on which filters are given, never on their values (those are bound),
  // so the cache holds at most one statement per combination.
  #statement(sql: string): Database.Statement {
    let statement = this.#filtered.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#filtered.set(sql, statement);
    }
    return statement;
  }
}

function whereOf(filter: RunFilter): { sql: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (filter.status !== undefined) {
    clauses.push("status = ?");
    params.push(filter.status);
  }
  if (filter.workflow !== undefined) {
    clauses.push("workflow = ?");
    params.push(filter.workflow);
  }
  if (filter.since !== undefined) {
    if (Number.isNaN(filter.since.getTime())) {
      throw new GovernorError("CONFIG_INVALID", "A run listing's since is not a valid date", {});
    }
    // created_at is always toISOString's UTC form, so ISO strings compare as times.
    clauses.push("created_at >= ?");
    params.push(filter.since.toISOString());
  }
  return { sql: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", params };
}

function checkCount(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `A run listing's ${what} must be an integer of at least ${min}, not ${value}`,
      { [what]: value },
    );
  }
}

function toRecord(row: Row): RunRecord {
  return {
    threadId: row.thread_id,
    workflow: row.workflow,
    source: row.source,
    status: row.status,
    principal: JSON.parse(row.principal),
    error: row.error ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
