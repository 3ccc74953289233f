import type pg from "pg";
import { unreachableCause } from "./unreachable.js";

/**
 * Ends the transaction `client` was in when `error` stopped it, and says whether the client
 * must be dropped rather than handed back to the pool: its reason, or undefined when it rolled
 * back cleanly. A connection that is lost or timed out is dropped at once (a ROLLBACK on it
 * would only wait behind the unanswered statement; the server rolls back what a dropped
 * connection began); one whose ROLLBACK fails is dropped too.
 */
export async function rollBackOrDrop(client: pg.PoolClient, error: unknown): Promise<Error | undefined> {
  if (unreachableCause(error) !== undefined) return error as Error;
  return client.query("ROLLBACK").then(
    () => undefined,
    (rollback: Error) => rollback,
  );
}
