import type { RunFilter, RunPage, RunRecord, RunStatus, RunStore } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { toPlainJson } from "@governor/observability";
import type pg from "pg";
import { storableText } from "./storable-text.js";
import { StoreDatabase } from "./store-database.js";

type Row = {
  thread_id: string;
  workflow: string;
  source: string;
  status: RunStatus;
  principal: string;
  error: string | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = "thread_id, workflow, source, status, principal, error, created_at, updated_at";

/** What Governor remembers of each run, in PostgreSQL (table `runs`), answering as RunRegistry does. */
export class PgRunStore implements RunStore {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  /** @throws {GovernorError} CONFIG_INVALID when a run with this thread id exists. */
  async create(
    run: Pick<RunRecord, "threadId" | "workflow" | "source" | "principal"> & {
      readonly status?: "running" | "queued";
      readonly input?: unknown;
    },
  ): Promise<void> {
    const now = new Date();
    try {
      await this.#db.query(
        `INSERT INTO runs (thread_id, workflow, source, status, principal, input, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [
          run.threadId,
          run.workflow,
          run.source,
          run.status ?? "running",
          JSON.stringify(run.principal),
          json(run.input),
          now,
        ],
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === "23505")
        throw new GovernorError("CONFIG_INVALID", `A run with thread id ${run.threadId} already exists`, {
          threadId: run.threadId,
        });
      throw error;
    }
  }

  async input(threadId: string): Promise<unknown> {
    const { rows } = await this.#db.query<{ input: string | null }>(
      "SELECT input FROM runs WHERE thread_id = $1",
      [threadId],
    );
    return parsed(rows[0]?.input);
  }

  async setAnswer(threadId: string, answer: unknown): Promise<void> {
    await this.#db.query("UPDATE runs SET answer = $1, updated_at = $2 WHERE thread_id = $3", [
      json(answer),
      new Date(),
      threadId,
    ]);
  }

  async answer(threadId: string): Promise<unknown> {
    const { rows } = await this.#db.query<{ answer: string | null }>(
      "SELECT answer FROM runs WHERE thread_id = $1",
      [threadId],
    );
    return parsed(rows[0]?.answer);
  }

  async setStatus(threadId: string, status: RunStatus, error?: string): Promise<void> {
    await this.#db.query("UPDATE runs SET status = $1, error = $2, updated_at = $3 WHERE thread_id = $4", [
      status,
      error === undefined ? null : storableText(error),
      new Date(),
      threadId,
    ]);
  }

  async get(threadId: string): Promise<RunRecord | undefined> {
    const { rows } = await this.#db.query<Row>(`SELECT ${COLUMNS} FROM runs WHERE thread_id = $1`, [
      threadId,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Runs whose thread id starts with `prefix`, at most `max`, in id order. */
  async withPrefix(prefix: string, max = 2): Promise<RunRecord[]> {
    // Ids compare byte by byte (collation "C"), so those with the prefix follow the prefix itself.
    const { rows } = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM runs WHERE thread_id >= $1 ORDER BY thread_id LIMIT $2`,
      [prefix, max],
    );
    const found: RunRecord[] = [];
    for (const row of rows) {
      if (!row.thread_id.startsWith(prefix)) break;
      found.push(toRecord(row));
    }
    return found;
  }

  async list(status?: RunStatus): Promise<RunRecord[]> {
    const { rows } = status
      ? await this.#db.query<Row>(
          `SELECT ${COLUMNS} FROM runs WHERE status = $1 ORDER BY created_at, thread_id`,
          [status],
        )
      : await this.#db.query<Row>(`SELECT ${COLUMNS} FROM runs ORDER BY created_at, thread_id`);
    return rows.map(toRecord);
  }

  /**
   * Runs matching `filter`, newest first (ties by thread id, so pages never overlap).
   *
   * @throws {GovernorError} CONFIG_INVALID when the page's limit is not a positive integer,
   *   its offset not a non-negative one, or `since` not a valid date.
   */
  async find(filter: RunFilter = {}, page?: RunPage): Promise<RunRecord[]> {
    if (page) {
      checkCount(page.limit, 1, "limit");
      checkCount(page.offset ?? 0, 0, "offset");
    }
    const { sql, params } = whereOf(filter);
    const paged = page ? ` LIMIT $${params.length + 1} OFFSET $${params.length + 2}` : "";
    const { rows } = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM runs${sql} ORDER BY created_at DESC, thread_id DESC${paged}`,
      page ? [...params, page.limit, page.offset ?? 0] : params,
    );
    return rows.map(toRecord);
  }

  /** @throws {GovernorError} CONFIG_INVALID when `since` is not a valid date. */
  async count(filter: RunFilter = {}): Promise<number> {
    const { sql, params } = whereOf(filter);
    const { rows } = await this.#db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM runs${sql}`, params);
    return Number(rows[0]?.n ?? 0);
  }
}

function whereOf(filter: RunFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const where = (column: string, op: string, value: unknown) => {
    params.push(value);
    clauses.push(`${column} ${op} $${params.length}`);
  };
  if (filter.status !== undefined) where("status", "=", filter.status);
  if (filter.workflow !== undefined) where("workflow", "=", filter.workflow);
  if (filter.since !== undefined) {
    if (Number.isNaN(filter.since.getTime()))
      throw new GovernorError("CONFIG_INVALID", "A run listing's since is not a valid date", {});
    where("created_at", ">=", filter.since);
  }
  return { sql: clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "", params };
}

function checkCount(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min)
    throw new GovernorError(
      "CONFIG_INVALID",
      `A run listing's ${what} must be an integer of at least ${min}, not ${value}`,
      {
        [what]: value,
      },
    );
}

/** A value as stored JSON text; undefined as NULL (no value kept). */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(toPlainJson(value));
}

function parsed(text: string | null | undefined): unknown {
  return text === null || text === undefined ? undefined : JSON.parse(text);
}

function toRecord(row: Row): RunRecord {
  return {
    threadId: row.thread_id,
    workflow: row.workflow,
    source: row.source,
    status: row.status,
    principal: JSON.parse(row.principal),
    error: row.error ?? undefined,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
