import type Database from "better-sqlite3";
import type { SpendEntry, SpendLedger, SpendRow } from "../budget/daily-spend.js";

/**
 * Model spend by principal, UTC day and run, in the store's SQLite database (table
 * `spend_ledger`). Kept per run so `governor status` can say where a day's budget went.
 */
export class SqliteSpendLedger implements SpendLedger {
  readonly #add: Database.Statement<[string, string, string, number]>;
  readonly #spent: Database.Statement<[string, string], { total: number | null }>;
  readonly #day: Database.Statement<[string], SpendRow>;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS spend_ledger (
      principal TEXT NOT NULL,
      day TEXT NOT NULL,
      thread_id TEXT NOT NULL,
      cost_usd REAL NOT NULL,
      PRIMARY KEY (principal, day, thread_id)
    )`);
    this.#add = db.prepare(
      `INSERT INTO spend_ledger (principal, day, thread_id, cost_usd) VALUES (?, ?, ?, ?)
       ON CONFLICT(principal, day, thread_id) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd`,
    );
    this.#spent = db.prepare(
      "SELECT SUM(cost_usd) AS total FROM spend_ledger WHERE principal = ? AND day = ?",
    );
    this.#day = db.prepare(
      "SELECT principal, SUM(cost_usd) AS costUsd, COUNT(*) AS runs FROM spend_ledger WHERE day = ? GROUP BY principal ORDER BY principal",
    );
  }

  add(entry: SpendEntry): void {
    this.#add.run(entry.principal, entry.day, entry.threadId, entry.costUsd);
  }

  spent(principal: string, day: string): number {
    return this.#spent.get(principal, day)?.total ?? 0;
  }

  // better-sqlite3 is synchronous and one connection writes at a time (busy_timeout queues the
  // others), so reading and adding inside one immediate transaction is atomic across processes.
  reserve(entry: SpendEntry, limitUsd: number): { ok: boolean; spent: number } {
    return this.#db
      .transaction(() => {
        const spent = this.spent(entry.principal, entry.day);
        if (spent + entry.costUsd > limitUsd) return { ok: false, spent };
        this.add(entry);
        return { ok: true, spent: spent + entry.costUsd };
      })
      .immediate();
  }

  /** Each principal's spend on one UTC day. */
  byPrincipal(day: string): SpendRow[] {
    return this.#day.all(day);
  }
}
