import type pg from "pg";
import { poolTarget } from "./connection.js";
import { rollBackOrDrop } from "./roll-back-or-drop.js";
import { storeError } from "./unreachable.js";

/**
 * A store's way to the database: every query and transaction, with connection failures
 * turned into STORE_UNREACHABLE naming the server. Stores share one pool, so the journals
 * see each other's commits at once.
 */
export class StoreDatabase {
  readonly pool: pg.Pool;
  /** `host:port/database`, for messages. */
  readonly where: string;

  constructor(pool: pg.Pool) {
    this.pool = pool;
    this.where = poolTarget(pool);
  }

  /** @throws {GovernorError} STORE_UNREACHABLE when the database cannot be reached. */
  async query<TRow extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<TRow>> {
    try {
      return await this.pool.query<TRow>(text, values);
    } catch (error) {
      throw storeError(error, this.where);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed if it returns, rolled back
   * if it throws, so nothing is left half-written.
   *
   * @throws {GovernorError} STORE_UNREACHABLE when the database cannot be reached.
   */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.session(async (client) => {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    });
  }

  /**
   * Runs `work` on one connection of its own, which must end any transaction it opens before
   * it returns (a store that sends BEGIN…COMMIT in fewer round trips than `transaction`). If
   * `work` throws, an open transaction is rolled back, so nothing is left half-written.
   *
   * @throws {GovernorError} STORE_UNREACHABLE when the database cannot be reached.
   */
  async session<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error, this.where);
    }
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: the connection dying under it is an
    // 'error' event that would crash the process. The query in flight rejects with it anyway.
    const lost = (error: Error) => {
      broken = error;
    };
    client.on("error", lost);
    try {
      return await work(client);
    } catch (error) {
      // A connection that failed mid-transaction is dropped, not returned to the pool.
      broken = (await rollBackOrDrop(client, error)) ?? broken;
      throw storeError(error, this.where);
    } finally {
      client.off("error", lost);
      client.release(broken);
    }
  }
}
