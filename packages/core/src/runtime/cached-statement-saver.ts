import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";

/** More distinct statements than this are prepared each time, not kept: a saver's `list` inlines its limit. */
const MAX_CACHED = 64;

/**
 * LangGraph's SQLite checkpointer over a connection that prepares each statement once.
 *
 * `SqliteSaver` (1.0.x) calls `db.prepare()` on every `put`, `putWrites` and `list`, and
 * preparing costs more than running the insert. It is handed a proxy of its connection whose
 * `prepare` returns the statement made earlier for the same SQL text; everything else is the
 * connection itself. A statement is only handed out again when it is not busy: one still
 * being iterated cannot run a second query, so a caller then gets a fresh one (the saver
 * itself never iterates, but a later version might). better-sqlite3 binds parameters anew on
 * every call, so a reused statement carries nothing from its last use.
 *
 * @param path the checkpoint database file (or `:memory:`).
 */
export function cachedStatementSaver(path: string): SqliteSaver {
  return new SqliteSaver(cachingConnection(new Database(path)));
}

/**
 * The connection with a `prepare` that reuses statements by SQL text: exported for the test
 * that a busy statement is never handed out twice.
 */
export function cachingConnection(db: Database.Database): Database.Database {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    const cached = statements.get(sql);
    if (cached && !cached.busy) return cached;
    const statement = db.prepare(sql);
    if (!cached && statements.size < MAX_CACHED) statements.set(sql, statement);
    return statement;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value = Reflect.get(target, property);
      // Methods run against the connection itself: its native handle is not reachable through a proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
