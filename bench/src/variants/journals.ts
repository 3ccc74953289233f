import { join } from "node:path";
import { type CompileOptions, type EffectRecord, GovernorStore, SqliteEffectJournal } from "@governor/core";
import type { SyncAuditJournal } from "@governor/observability";

type AuditJournal = SyncAuditJournal;
type EffectJournal = CompileOptions["effects"];

/** Governor's journals for one governed variant, and how to release them. */
export interface GovernedJournals {
  readonly kind: "file" | "memory" | "none";
  readonly audit: SyncAuditJournal;
  readonly effects: EffectJournal;
  close(): void;
}

/**
 * The journals as a deployment keeps them: `GovernorStore`'s `governor.db` in `dir` (WAL,
 * synchronous=NORMAL). The store's own checkpointer goes unused, so the governed and bare
 * variants share one checkpointer setup.
 */
export function fileJournals(dir: string): GovernedJournals {
  const store = new GovernorStore(join(dir, "governor"));
  return { kind: "file", audit: store.audit, effects: store.effects, close: () => store.close() };
}

/**
 * The same SQLite journals on `:memory:`: hash chain, dedupe lookups and inserts, no file.
 * `dir` only hosts a throwaway store, the one way to reach the audit journal's class through
 * the bench's single dependency on @governor/core.
 */
export function memoryJournals(dir: string): GovernedJournals {
  const store = new GovernorStore(join(dir, "class-source"));
  const SqliteAuditJournal = store.audit.constructor as new (database: string) => GovernorStore["audit"];
  store.close();
  const audit = new SqliteAuditJournal(":memory:");
  return { kind: "memory", audit, effects: new SqliteEffectJournal(":memory:"), close: () => audit.close() };
}

/** No journals at all: appends are counted and dropped, effects kept in a Map. What is left is Governor's node logic. */
export function nullJournals(): GovernedJournals & { readonly appended: () => number } {
  let appended = 0;
  const audit: AuditJournal = {
    append: (entry) => {
      appended++;
      return { ...entry, seq: appended, at: "", prevHash: "", hash: "", data: entry.data ?? {} };
    },
    list: () => [],
    find: () => [],
    verify: () => ({ ok: true, records: 0, head: "", anchored: 0, keyId: "" }),
    // It keeps nothing, so it vouches for nothing: the nodes take the state at its word.
    discards: true,
  };
  const effects = new Map<string, EffectRecord>();
  const journal: EffectJournal = {
    get: (key) => effects.get(key),
    start: (key, tool) => {
      effects.set(key, { status: "started", key, tool });
      return true;
    },
    commit: (key, result) =>
      void effects.set(key, { status: "committed", key, tool: effects.get(key)?.tool ?? "", result }),
    commitUnrecorded: (key, reason) =>
      void effects.set(key, {
        status: "committed",
        key,
        tool: effects.get(key)?.tool ?? "",
        result: null,
        unrecorded: reason,
      }),
    fail: (key, error) =>
      void effects.set(key, { status: "failed", key, tool: effects.get(key)?.tool ?? "", error }),
  };
  return { kind: "none", audit, effects: journal, close: () => effects.clear(), appended: () => appended };
}
