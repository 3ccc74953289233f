import type { SpendEntry, SpendLedger } from "@governor/core";
import pg from "pg";
import { StoreDatabase } from "./store-database.js";

const { escapeLiteral } = pg;

type SpendRow = Awaited<ReturnType<SpendLedger["byPrincipal"]>>[number];

// The advisory-lock class of a principal's day: a (class, key) pair lives apart from the
// single 64-bit keys other locks (the migration's) use.
const SPEND_LOCK_CLASS = 0x5350;

/**
 * Model spend by principal, UTC day and run, in PostgreSQL (table `spend_ledger`), as
 * SqliteSpendLedger keeps it.
 */
export class PgSpendLedger implements SpendLedger {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  async add(entry: SpendEntry): Promise<void> {
    await this.#db.query(
      `INSERT INTO spend_ledger (principal, day, thread_id, cost_usd) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal, day, thread_id) DO UPDATE SET cost_usd = spend_ledger.cost_usd + excluded.cost_usd`,
      [entry.principal, entry.day, entry.threadId, entry.costUsd],
    );
  }

  async spent(principal: string, day: string): Promise<number> {
    const { rows } = await this.#db.query<{ total: number | null }>(
      "SELECT SUM(cost_usd) AS total FROM spend_ledger WHERE principal = $1 AND day = $2",
      [principal, day],
    );
    return rows[0]?.total ?? 0;
  }

  /**
   * Reads the day's spend and adds to it in one transaction that holds a lock on that
   * principal's day: reservers on any worker take turns, and each reads the spend as the one
   * before it left it (READ COMMITTED takes a new snapshot per statement, after the lock).
   *
   * Two round trips, not five: BEGIN, the lock and the read go in one multi-statement query,
   * the insert and COMMIT in another. Multi-statement queries take no parameters, so values
   * are sent as literals escaped by pg.
   */
  async reserve(entry: SpendEntry, limitUsd: number): Promise<{ ok: boolean; spent: number }> {
    const principal = escapeLiteral(entry.principal);
    const day = escapeLiteral(entry.day);
    return this.#db.session(async (client) => {
      const [, , read] = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${SPEND_LOCK_CLASS}, hashtext(${escapeLiteral(JSON.stringify([entry.principal, entry.day]))}));
         SELECT SUM(cost_usd) AS total FROM spend_ledger WHERE principal = ${principal} AND day = ${day}`,
      )) as unknown as pg.QueryResult<{ total: number | null }>[];
      const spent = read?.rows[0]?.total ?? 0;
      if (spent + entry.costUsd > limitUsd) {
        await client.query("ROLLBACK");
        return { ok: false, spent };
      }
      await client.query(
        `INSERT INTO spend_ledger (principal, day, thread_id, cost_usd)
         VALUES (${principal}, ${day}, ${escapeLiteral(entry.threadId)}, ${escapeLiteral(String(entry.costUsd))}::float8)
         ON CONFLICT (principal, day, thread_id) DO UPDATE SET cost_usd = spend_ledger.cost_usd + excluded.cost_usd;
         COMMIT`,
      );
      return { ok: true, spent: spent + entry.costUsd };
    });
  }

  /** Each principal's spend on one UTC day, in principal order (as the SQLite ledger lists it). */
  async byPrincipal(day: string): Promise<SpendRow[]> {
    const { rows } = await this.#db.query<{ principal: string; cost_usd: number; runs: string }>(
      "SELECT principal, SUM(cost_usd) AS cost_usd, COUNT(*) AS runs FROM spend_ledger WHERE day = $1 GROUP BY principal ORDER BY principal",
      [day],
    );
    return rows.map((row) => ({ principal: row.principal, costUsd: row.cost_usd, runs: Number(row.runs) }));
  }
}
