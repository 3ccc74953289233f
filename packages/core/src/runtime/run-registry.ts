import type { Principal } from "@governor/identity";
import type Database from "better-sqlite3";

export type RunStatus = "running" | "waiting" | "completed" | "failed";

/** What Governor remembers of a run beyond LangGraph's checkpoints: enough to find and resume it from another process. */
export interface RunRecord {
  readonly threadId: string;
  readonly workflow: string;
  /** The key the workflow is looked up by (`sample:NAME`, `workflow:NAME`, `module:PATH`): written by whoever started the run, so never a path to import. */
  readonly source: string;
  readonly status: RunStatus;
  readonly principal: Principal;
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

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
export class RunRegistry {
  readonly #insert: Database.Statement;
  readonly #setStatus: Database.Statement;
  readonly #get: Database.Statement<[string], Row>;
  readonly #byStatus: Database.Statement<[string], Row>;
  readonly #all: Database.Statement<[], Row>;

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
    this.#insert =
      db.prepare(`INSERT INTO runs (thread_id, workflow, source, status, principal, created_at, updated_at)
        VALUES (?, ?, ?, 'running', ?, ?, ?)`);
    this.#setStatus = db.prepare("UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE thread_id = ?");
    this.#get = db.prepare("SELECT * FROM runs WHERE thread_id = ?");
    this.#byStatus = db.prepare("SELECT * FROM runs WHERE status = ? ORDER BY created_at");
    this.#all = db.prepare("SELECT * FROM runs ORDER BY created_at");
  }

  create(run: Pick<RunRecord, "threadId" | "workflow" | "source" | "principal">): void {
    const now = new Date().toISOString();
    this.#insert.run(run.threadId, run.workflow, run.source, JSON.stringify(run.principal), now, now);
  }

  setStatus(threadId: string, status: RunStatus, error?: string): void {
    this.#setStatus.run(status, error ?? null, new Date().toISOString(), threadId);
  }

  get(threadId: string): RunRecord | undefined {
    const row = this.#get.get(threadId);
    return row && toRecord(row);
  }

  list(status?: RunStatus): RunRecord[] {
    const rows = status ? this.#byStatus.all(status) : this.#all.all();
    return rows.map(toRecord);
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
