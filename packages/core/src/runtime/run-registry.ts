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

export class RunRegistry {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
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
  }

  create(run: Pick<RunRecord, "threadId" | "workflow" | "source" | "principal">): void {
    const now = new Date().toISOString();
    this.#db
      .prepare(`INSERT INTO runs (thread_id, workflow, source, status, principal, created_at, updated_at)
        VALUES (?, ?, ?, 'running', ?, ?, ?)`)
      .run(run.threadId, run.workflow, run.source, JSON.stringify(run.principal), now, now);
  }

  setStatus(threadId: string, status: RunStatus, error?: string): void {
    this.#db
      .prepare("UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE thread_id = ?")
      .run(status, error ?? null, new Date().toISOString(), threadId);
  }

  get(threadId: string): RunRecord | undefined {
    const row = this.#db.prepare<[string], Row>("SELECT * FROM runs WHERE thread_id = ?").get(threadId);
    return row && toRecord(row);
  }

  list(status?: RunStatus): RunRecord[] {
    const rows = status
      ? this.#db.prepare<[string], Row>("SELECT * FROM runs WHERE status = ? ORDER BY created_at").all(status)
      : this.#db.prepare<[], Row>("SELECT * FROM runs ORDER BY created_at").all();
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
