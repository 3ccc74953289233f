import type Database from "better-sqlite3";

/**
 * Who is driving a run right now, so two processes (or two calls in one) never drive the same
 * thread at once. Two approvers answering a run's two requests at the same moment would
 * otherwise both resume from the same checkpoint: each call runs once (the effect journal
 * holds), but the thread's head becomes whichever wrote last, in which the other call still
 * waits for a human: a request for a call that already ran.
 *
 * A lease, not a lock: a process that dies while it holds one blocks the run only until the
 * lease runs out. Kept in the store's database, so every process that opens it takes part.
 */
export class RunLeases {
  readonly #acquire: Database.Statement;
  readonly #release: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS run_leases (
      thread_id TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      until INTEGER NOT NULL
    )`);
    // One statement, so taking a free or lapsed lease is atomic across connections.
    this.#acquire = db.prepare(`INSERT INTO run_leases (thread_id, owner, until) VALUES (?, ?, ?)
      ON CONFLICT(thread_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
      WHERE run_leases.until < ?`);
    this.#release = db.prepare("DELETE FROM run_leases WHERE thread_id = ? AND owner = ?");
  }

  /** Takes the run's lease for `owner` until `now + ttlMs`; false while someone else holds it. */
  acquire(threadId: string, owner: string, now: number, ttlMs: number): boolean {
    return this.#acquire.run(threadId, owner, now + ttlMs, now).changes === 1;
  }

  release(threadId: string, owner: string): void {
    this.#release.run(threadId, owner);
  }
}
