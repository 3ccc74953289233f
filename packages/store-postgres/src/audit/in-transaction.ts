import type pg from "pg";
import { rollBackOrDrop } from "../roll-back-or-drop.js";
import { storeFailure } from "./store-failure.js";

/**
 * Runs `work` in one transaction on a client of its own: committed whole or rolled back
 * whole, so nothing is ever half-written.
 *
 * `begin` may carry statements without parameters to run first in the same round trip (an
 * advisory lock, a read under it); `work` is handed their results.
 *
 * A client whose rollback fails has lost its connection (the server went away, and rolled
 * back with it): it is destroyed rather than handed back to the pool for the next caller.
 *
 * @throws {GovernorError} STORE_UNREACHABLE when the database cannot be reached or goes away;
 * STORE_SCHEMA_MISMATCH when the audit tables are missing (see `storeFailure`).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  what: string,
  work: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw storeFailure(error, what);
  }
  // A connection that dies between two statements is reported on the client, not on a query:
  // unheard, that event would crash the process. The next statement fails, and is handled below.
  const ignore = () => undefined;
  client.on("error", ignore);
  let destroy = false;
  try {
    const begun = await client.query(begin);
    // One result per statement: pg answers a single statement with a result, several with an array.
    const result = await work(client, Array.isArray(begun) ? begun : [begun]);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    destroy = (await rollBackOrDrop(client, error)) !== undefined;
    throw storeFailure(error, what);
  } finally {
    client.off("error", ignore);
    client.release(destroy);
  }
}
