import type { ApprovalUseLedger } from "@governor/core";
import type pg from "pg";
import { StoreDatabase } from "./store-database.js";

/** Which request each accepted decision was used on, in PostgreSQL (table `approval_uses`), as SqliteApprovalUseLedger. */
export class PgApprovalUseLedger implements ApprovalUseLedger {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  // Two statements on purpose: a concurrent claim's insert waits for the first to commit and
  // then does nothing, and only a statement started after that commit sees the winner's row
  // (one statement would read from a snapshot taken before it, and see no row at all).
  async claim(jti: string, use: { threadId: string; node: string; callId: string }): Promise<boolean> {
    await this.#db.query(
      `INSERT INTO approval_uses (jti, thread_id, node, call_id, used_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (jti) DO NOTHING`,
      [jti, use.threadId, use.node, use.callId, new Date()],
    );
    const { rows } = await this.#db.query<{ thread_id: string; node: string; call_id: string }>(
      "SELECT thread_id, node, call_id FROM approval_uses WHERE jti = $1",
      [jti],
    );
    const bound = rows[0];
    return bound?.thread_id === use.threadId && bound.node === use.node && bound.call_id === use.callId;
  }
}
