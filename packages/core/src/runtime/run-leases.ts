import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type Database from "better-sqlite3";
import type { LeaseStore } from "../store/run-store.js";

/**
 * Who is driving a run right now, so two processes (or two calls in one) never drive the same
 * thread at once. Two approvers answering a run's two requests at the same moment would
 * otherwise both resume from the same checkpoint: each call runs once (the effect journal
 * holds), but the thread's head becomes whichever wrote last, in which the other call still
 * waits for a human: a request for a call that already ran.
 *
 * A lease, not a lock: a process that dies while it holds one blocks the run only until the
 * lease runs out, and not even that long on its own machine: a lease whose owner process is
 * gone there is taken over at once (a crashed worker's run can be recovered right away).
 * Kept in the store's database, so every process that opens it takes part.
 */
export class RunLeases implements LeaseStore {
  readonly #acquire: Database.Statement;
  readonly #release: Database.Statement;
  readonly #holder: Database.Statement<[string], { owner: string }>;
  readonly #renew: Database.Statement;

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
    this.#holder = db.prepare("SELECT owner FROM run_leases WHERE thread_id = ?");
    this.#renew = db.prepare("UPDATE run_leases SET until = ? WHERE thread_id = ? AND owner = ?");
  }

  /** A new owner name for this process: host, process id and a random part. */
  static owner(): string {
    return JSON.stringify({ host: hostname(), pid: process.pid, id: randomUUID() });
  }

  /** Takes the run's lease for `owner` until `now + ttlMs`; false while a live holder has it. */
  acquire(threadId: string, owner: string, now: number, ttlMs: number): boolean {
    if (this.#acquire.run(threadId, owner, now + ttlMs, now).changes === 1) return true;
    const holder = this.#holder.get(threadId)?.owner;
    if (holder === undefined || !ownerIsGone(holder)) return false;
    // Only that dead holder's row is removed: a live process that took it meanwhile keeps it.
    this.#release.run(threadId, holder);
    return this.#acquire.run(threadId, owner, now + ttlMs, now).changes === 1;
  }

  release(threadId: string, owner: string): void {
    this.#release.run(threadId, owner);
  }

  renew(threadId: string, owner: string, now: number, ttlMs: number): boolean {
    return this.#renew.run(now + ttlMs, threadId, owner).changes === 1;
  }
}

/**
 * True when the owner (a `RunLeases.owner()` name) ran on this machine and its process no
 * longer exists: its lease can be taken over before it runs out. Any lease store uses it.
 */
export function ownerIsGone(owner: string): boolean {
  let parsed: { host?: unknown; pid?: unknown };
  try {
    parsed = JSON.parse(owner);
  } catch {
    return false;
  }
  if (parsed.host !== hostname() || typeof parsed.pid !== "number") return false;
  if (parsed.pid === process.pid) return false;
  try {
    process.kill(parsed.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but is not ours to signal; it is alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
