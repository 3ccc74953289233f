import { MemoryStore } from "@governor/memory";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";

/**
 * A memory store that lives and dies with the process (an in-memory SQLite database holding
 * its facts and its own audit journal, so a batch and its record commit together): for
 * compiling a graph only to draw it (`governor graph`), or a one-off run that must leave
 * nothing behind. Runs that should remember use `GovernorStore#memory`.
 */
export function scratchMemoryStore(): MemoryStore {
  const db = new Database(":memory:");
  return new MemoryStore(db, { audit: new SqliteAuditJournal(db) });
}
