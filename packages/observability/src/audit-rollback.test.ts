import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { FileHeadStore, type HeadStore, MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";

const key = new AuditKey(Buffer.alloc(32, 9));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const heads: [string, () => HeadStore][] = [
  ["a head in memory (anchored at every append)", () => new MemoryHeadStore()],
  [
    "a head in a file (anchored a few ms later)",
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-rollback-"));
      dirs.push(dir);
      return new FileHeadStore(path.join(dir, "audit.head"));
    },
  ],
];

const entry = (n: number) => ({ threadId: "t", kind: "memory" as const, outcome: "written", data: { n } });

/** Appends inside a caller's transaction that then fails, so the records are rolled back. */
function rolledBack(db: Database.Database, journal: SqliteAuditJournal, count: number) {
  expect(() =>
    db.transaction(() => {
      for (let i = 0; i < count; i++) journal.append(entry(100 + i));
      throw new Error("the caller's batch fails after its audit records");
    })(),
  ).toThrow(/fails after/);
}

describe("audit records rolled back with the caller's transaction", () => {
  it.each(heads)("never anchor the signed head: %s", async (_label, head) => {
    const db = new Database(":memory:");
    const journal = new SqliteAuditJournal(db, { key, head: head() });
    journal.append(entry(1));
    rolledBack(db, journal, 3);
    await Promise.resolve();
    expect(journal.verify()).toMatchObject({ ok: true, records: 1 });
    // The rolled-back numbers are used again, by other records: the head follows those.
    journal.append(entry(2));
    rolledBack(db, journal, 1);
    journal.append(entry(3));
    expect(journal.verify()).toMatchObject({ ok: true, records: 3, anchored: 3 });
  });

  it.each(heads)("anchor records committed inside a caller's transaction: %s", (_label, head) => {
    const db = new Database(":memory:");
    const journal = new SqliteAuditJournal(db, { key, head: head() });
    db.transaction(() => {
      journal.append(entry(1));
      journal.append(entry(2));
    })();
    // Flushed by verify() without waiting for the microtask: both are anchored, so cutting them is detected.
    expect(journal.verify()).toMatchObject({ ok: true, records: 2, anchored: 2 });
  });
});
