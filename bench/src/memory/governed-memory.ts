import { agentPrincipal, type Principal } from "@governor/identity";
import {
  buildMemoryContext,
  type FactIndex,
  type FactKey,
  type FactScope,
  type FactWrite,
  MemoryStore,
} from "@governor/memory";
import { estimateTokens } from "@governor/models";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { TENANTS } from "./fact-sequences.js";

/** What a memory hands the model for one question, and what it costs in the prompt. */
export interface RecalledContext {
  readonly text: string;
  readonly tokens: number;
}

/** A Governor memory as a model step uses it: a store on a SQLite file, read by `buildMemoryContext`. */
export interface GovernedMemory {
  readonly store: MemoryStore;
  readonly principal: Principal;
  /** Whether a vector index (Mem0) finds keys for a query; without one a query reads the partition. */
  readonly indexed: boolean;
  /** Sets the store's clock (the statements carry their own times). */
  at(time: Date): void;
  /** Writes one batch at the current clock (one transaction, one audit record). */
  write(writes: readonly FactWrite[], threadId?: string): void;
  /** The context for a step asking about `keys` and/or `query` in `scope`, now. */
  context(scope: FactScope, ask: { keys?: readonly FactKey[]; query?: string }): Promise<RecalledContext>;
  close(): void;
}

/**
 * The principal of the benchmark's step: reads and writes every partition of the five tenants,
 * and relays what the people in the conversation said at their own weights (authority is
 * granted, never taken at the writer's word: `memory:attest:*:<n>`).
 */
export const BENCH_PRINCIPAL = agentPrincipal("memory-bench", [
  ...TENANTS.flatMap((t) => [`memory:write:${t}`, `memory:users:${t}`, `memory:agents:${t}`]),
  "memory:attest:*:100",
]);

/**
 * Opens a store as the runtime does (a WAL file, the audit journal sharing the connection),
 * with `index` as its vector index when one is given.
 */
export function openGovernedMemory(path: string, index?: FactIndex): GovernedMemory {
  const db = new Database(path);
  const audit = new SqliteAuditJournal(db);
  let clock = new Date("2026-01-01T00:00:00.000Z");
  const store = new MemoryStore(db, { audit, index, tenants: TENANTS, now: () => clock });
  return {
    store,
    principal: BENCH_PRINCIPAL,
    indexed: index !== undefined,
    at: (time) => {
      clock = time;
    },
    write: (writes, threadId) => {
      store.writeNow({ principal: BENCH_PRINCIPAL, threadId }, writes);
    },
    context: async (scope, ask) => {
      const context = await buildMemoryContext(store, {
        principal: BENCH_PRINCIPAL,
        scopes: [scope],
        ...ask,
        countTokens: estimateTokens,
      });
      return { text: context.text, tokens: context.tokens };
    },
    close: () => {
      index?.close?.();
      db.close();
    },
  };
}
