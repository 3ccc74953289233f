import { GovernorError } from "@governor/errors";
import { GovernorStore } from "../runtime/governor-store.js";
import type { GovernorStores } from "../store/governor-stores.js";

/**
 * Copies a run's rows of the effect journal (idempotency keys and their recorded results or
 * failures) from the original store into the replay's scratch store. The replay runs under
 * the same thread id, so the same call gets the same key and the gateway reads its recorded
 * outcome back, as it does on any resume: the handler is never asked.
 *
 * @returns how many effects were copied.
 */
export function copyRecordedEffects(from: GovernorStores, to: GovernorStore, threadId: string): number {
  // The journal's rows are copied as they are stored; only the embedded store's table is read so far.
  if (!(from instanceof GovernorStore)) {
    throw new GovernorError(
      "REPLAY_UNAVAILABLE",
      `Replay reads a run's effects from the embedded SQLite store; this run is in ${from.backend} (${from.location})`,
      { threadId, backend: from.backend },
    );
  }
  const rows = from.db
    .prepare(
      `SELECT key, thread_id, tool, status, result, error, started_at, finished_at, reason
       FROM effects WHERE thread_id = ?`,
    )
    .all(threadId);
  const insert = to.db.prepare(
    `INSERT OR IGNORE INTO effects (key, thread_id, tool, status, result, error, started_at, finished_at, reason)
     VALUES (@key, @thread_id, @tool, @status, @result, @error, @started_at, @finished_at, @reason)`,
  );
  to.db.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
  return rows.length;
}
