import { join } from "node:path";
import { agentPrincipal, hs256Keys } from "@governor/identity";
import { type FactWrite, MemoryStore } from "@governor/memory";
import { auditAnchorFor, SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";

/**
 * A memory store on files, wired as `GovernorStore` wires it (governor.db in WAL mode, the
 * audit journal on the same connection, sealed with the directory's audit key and its head
 * kept in keys/), so a child process and the test open the same store. Kept free of
 * @governor/core so a child starts in a couple of seconds.
 */
export interface MemoryFiles {
  readonly db: Database.Database;
  readonly audit: SqliteAuditJournal;
  readonly store: MemoryStore;
  close(): void;
}

export const writer = agentPrincipal("batch-writer", ["memory:write:acme", "memory:attest:*:100"]);
export const scope = { tenant: "acme" } as const;
const director = { by: "ops-director", weight: 90 } as const;
const planner = { by: "planner", weight: 40 } as const;
const source = { type: "manual" } as const;

export function openMemoryFiles(dir: string): MemoryFiles {
  const db = new Database(join(dir, "governor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  const audit = new SqliteAuditJournal(db, auditAnchorFor(dir));
  const store = new MemoryStore(db, {
    audit,
    tokenKeys: hs256Keys("red-team-memory-files-secret-long-enough-0123456789"),
  });
  return { db, audit, store, close: () => audit.close() };
}

/** Keys 0–99 are updated by every batch, 100–149 retracted (odd batches) and added again (even). */
export const UPDATED = 100;
export const TOGGLED = 50;
/** New keys each batch adds. */
export const ADDED = 50;

const fact = (
  entity: string,
  value: string,
  authority: { by: string; weight: number } = director,
): FactWrite => ({
  scope,
  entity,
  attribute: "price",
  value,
  kind: "mandate",
  authority,
  source,
});

/**
 * Generation `g` of the store, as one batch: g = 0 seeds 150 items and a guarded rule; every
 * later batch is 201 writes: 100 UPDATEs, 50 DELETEs or re-ADDs, 50 ADDs of new keys and one
 * lower-authority overwrite of the guarded rule, which waits for an approval.
 */
export function generation(g: number): FactWrite[] {
  const value = `g${g}`;
  if (g === 0) {
    return [
      ...Array.from({ length: UPDATED + TOGGLED }, (_, i) => fact(`item-${i}`, value)),
      fact("guarded", "seed"),
    ];
  }
  return [
    ...Array.from({ length: UPDATED }, (_, i) => fact(`item-${i}`, value)),
    ...Array.from({ length: TOGGLED }, (_, i): FactWrite => {
      const entity = `item-${UPDATED + i}`;
      return g % 2 === 1
        ? { op: "retract", scope, entity, attribute: "price", authority: director, source }
        : fact(entity, value);
    }),
    ...Array.from({ length: ADDED }, (_, j) => fact(`new-${g}-${j}`, value)),
    fact("guarded", value, planner),
  ];
}

/** Writes whose batch `g` is, with the writer's context. */
export function writeGeneration(files: MemoryFiles, g: number) {
  return files.store.writeNow({ principal: writer, threadId: `gen-${g}` }, generation(g));
}
