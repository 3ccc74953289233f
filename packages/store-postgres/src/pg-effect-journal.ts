import {
  type EffectFailure,
  type EffectJournal,
  type EffectRecord,
  type EffectRow,
  effectRecordOf,
} from "@governor/core";
import { toPlainJson } from "@governor/observability";
import type pg from "pg";
import { storableText } from "./storable-text.js";
import { StoreDatabase } from "./store-database.js";

type Row = EffectRow;

/**
 * The idempotency journal in PostgreSQL (table `effects`), answering as SqliteEffectJournal
 * does. Several workers share it: a claim (`start`) is one statement, so two drivers of the
 * same call cannot both win it.
 */
export class PgEffectJournal implements EffectJournal {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  async get(key: string): Promise<EffectRecord | undefined> {
    const { rows } = await this.#db.query<Row>(
      "SELECT tool, status, result, error, reason FROM effects WHERE key = $1",
      [key],
    );
    const row = rows[0];
    return row && effectRecordOf(key, row);
  }

  /**
   * Compare-and-set in one statement: an insert that does nothing if the key exists (no
   * record expected), or an update guarded by the expected status. A concurrent claim waits
   * on the row and re-checks the guard once the first commits, so exactly one wins.
   */
  async start(
    key: string,
    tool: string,
    threadId: string,
    expected?: EffectRecord["status"],
  ): Promise<boolean> {
    const now = new Date();
    const result =
      expected === undefined
        ? await this.#db.query(
            `INSERT INTO effects (key, thread_id, tool, status, started_at) VALUES ($1, $2, $3, 'started', $4)
             ON CONFLICT (key) DO NOTHING`,
            [key, threadId, tool, now],
          )
        : await this.#db.query(
            `UPDATE effects SET status = 'started', error = NULL, reason = NULL, started_at = $3
             WHERE key = $1 AND status = $2`,
            [key, expected, now],
          );
    return result.rowCount === 1;
  }

  /** @throws {GovernorError} VALUE_UNSERIALIZABLE when the result cannot be normalized (nothing is written). */
  async commit(key: string, result: unknown): Promise<void> {
    const json = JSON.stringify(toPlainJson(result));
    await this.#db.query(
      "UPDATE effects SET status = 'committed', result = $1, finished_at = $2 WHERE key = $3",
      [json, new Date(), key],
    );
  }

  async commitUnrecorded(key: string, reason: string): Promise<void> {
    await this.#db.query(
      "UPDATE effects SET status = 'committed', result = NULL, error = $1, finished_at = $2 WHERE key = $3",
      [storableText(reason), new Date(), key],
    );
  }

  async fail(key: string, error: string, reason: EffectFailure = "failed"): Promise<void> {
    await this.#db.query(
      "UPDATE effects SET status = 'failed', error = $1, reason = $2, finished_at = $3 WHERE key = $4",
      [storableText(error), reason, new Date(), key],
    );
  }
}
