import type { Awaitable } from "@governor/observability";
import type Database from "better-sqlite3";

/**
 * Remembers every signed decision accepted, by its token id (jti), and what it decided.
 * A decision is good for the one request it was used on: presented for any other request
 * (another thread, node or call) it is a replay and refused. Presented again for the same
 * request it is accepted, because LangGraph re-runs an approval node from its start on
 * resume and the node must reach the same verdict.
 */
export interface ApprovalUseLedger {
  /** True when `jti` is new (and is now bound to `use`) or already bound to this same use. */
  claim(jti: string, use: { threadId: string; node: string; callId: string }): Awaitable<boolean>;
}

export class SqliteApprovalUseLedger implements ApprovalUseLedger {
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement<[string], { thread_id: string; node: string; call_id: string }>;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS approval_uses (
      jti TEXT PRIMARY KEY,
      thread_id TEXT NOT NULL,
      node TEXT NOT NULL,
      call_id TEXT NOT NULL,
      used_at TEXT NOT NULL
    )`);
    this.#insert = db.prepare(
      "INSERT OR IGNORE INTO approval_uses (jti, thread_id, node, call_id, used_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.#get = db.prepare("SELECT thread_id, node, call_id FROM approval_uses WHERE jti = ?");
  }

  claim(jti: string, use: { threadId: string; node: string; callId: string }): boolean {
    this.#insert.run(jti, use.threadId, use.node, use.callId, new Date().toISOString());
    const bound = this.#get.get(jti);
    return bound?.thread_id === use.threadId && bound.node === use.node && bound.call_id === use.callId;
  }
}

/** An in-process ledger, for graphs compiled without a store. */
export class MemoryApprovalUseLedger implements ApprovalUseLedger {
  readonly #uses = new Map<string, string>();

  claim(jti: string, use: { threadId: string; node: string; callId: string }): boolean {
    const key = `${use.threadId}\u0000${use.node}\u0000${use.callId}`;
    const bound = this.#uses.get(jti);
    if (bound === undefined) this.#uses.set(jti, key);
    return (bound ?? key) === key;
  }
}
