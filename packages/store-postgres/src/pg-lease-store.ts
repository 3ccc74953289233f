import { type LeaseStore, leaseOwnerIsGone } from "@governor/core";
import type pg from "pg";
import { StoreDatabase } from "./store-database.js";

/**
 * Who drives each run right now, in PostgreSQL (table `run_leases`), with RunLeases' rules:
 * a free or lapsed lease is taken in one statement (atomic across workers), and a lease whose
 * owner process is gone from this machine is taken over at once. Owners are
 * `RunLeases.owner()` names (host, pid, random part).
 */
export class PgLeaseStore implements LeaseStore {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  async acquire(threadId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    if (await this.#take(threadId, owner, now, ttlMs)) return true;
    const { rows } = await this.#db.query<{ owner: string }>(
      "SELECT owner FROM run_leases WHERE thread_id = $1",
      [threadId],
    );
    const holder = rows[0]?.owner;
    if (holder === undefined || !leaseOwnerIsGone(holder)) return false;
    // Only that dead holder's row is removed: a live process that took it meanwhile keeps it.
    await this.release(threadId, holder);
    return this.#take(threadId, owner, now, ttlMs);
  }

  async release(threadId: string, owner: string): Promise<void> {
    await this.#db.query("DELETE FROM run_leases WHERE thread_id = $1 AND owner = $2", [threadId, owner]);
  }

  async renew(threadId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.#db.query(
      "UPDATE run_leases SET until = $1 WHERE thread_id = $2 AND owner = $3",
      [now + ttlMs, threadId, owner],
    );
    return result.rowCount === 1;
  }

  async #take(threadId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.#db.query(
      `INSERT INTO run_leases (thread_id, owner, until) VALUES ($1, $2, $3)
       ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE run_leases.until < $4`,
      [threadId, owner, now + ttlMs, now],
    );
    return result.rowCount === 1;
  }
}
