import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { recordHash } from "./audit-chain.js";
import { FileHeadStore, MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import { type AuditRecord, GENESIS_HASH } from "./audit-record.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";

const key = new AuditKey(Buffer.alloc(32, 7));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-audit-"));
  dirs.push(dir);
  return dir;
}

function fill(journal: SqliteAuditJournal, records: number, from = 0) {
  for (let i = from; i < from + records; i++) {
    journal.append({
      threadId: `t${i % 3}`,
      kind: "policy",
      outcome: i % 2 ? "allow" : "deny",
      node: `gate${i}`,
      tool: "issue_refund",
      principal: `agent:support/user:${i}`,
      data: { amount: i * 10 },
      dedupeKey: `k${i}`,
    });
  }
}

function journalWith(records: number) {
  const db = new Database(":memory:");
  const journal = new SqliteAuditJournal(db, { key, head: new MemoryHeadStore() });
  fill(journal, records);
  return { db, journal };
}

/** A journal in a file with its head in a file, as the store keeps them. */
function fileJournal(dir: string, records: number, from = 0) {
  const open = (withKey = key) =>
    new SqliteAuditJournal(path.join(dir, "governor.db"), {
      key: withKey,
      head: new FileHeadStore(path.join(dir, "keys", "audit.head")),
    });
  const journal = open();
  fill(journal, records, from);
  journal.flush();
  return { journal, open };
}

type Column = { column: string; value: unknown };

/** Every field of a record, by column, with a value different from what `fill` wrote. */
const FIELDS: Record<string, Column> = {
  threadId: { column: "thread_id", value: "t-other" },
  kind: { column: "kind", value: "execution" },
  outcome: { column: "outcome", value: "approved" },
  node: { column: "node", value: "another-node" },
  tool: { column: "tool", value: "delete_account" },
  principal: { column: "principal", value: "user:root" },
  data: { column: "data", value: JSON.stringify({ amount: 1 }) },
  at: { column: "at", value: "2020-01-01T00:00:00.000Z" },
  dedupeKey: { column: "dedupe_key", value: "k-other" },
  prevHash: { column: "prev_hash", value: "f".repeat(64) },
  hash: { column: "hash", value: "e".repeat(64) },
  seal: { column: "seal", value: "d".repeat(64) },
};

/** A column set to NULL: absent fields are part of a record too. */
const NULLABLE = ["node", "tool", "principal", "dedupe_key"];

function rowsOf(db: Database.Database): Record<string, unknown>[] {
  return db.prepare("SELECT * FROM audit_records ORDER BY seq").all() as Record<string, unknown>[];
}

function asRecord(row: Record<string, unknown>): Omit<AuditRecord, "hash" | "seal"> {
  return {
    seq: row.seq as number,
    at: row.at as string,
    threadId: row.thread_id as string,
    kind: row.kind as AuditRecord["kind"],
    outcome: row.outcome as string,
    node: (row.node as string | null) ?? undefined,
    tool: (row.tool as string | null) ?? undefined,
    principal: (row.principal as string | null) ?? undefined,
    data: JSON.parse(row.data as string),
    dedupeKey: (row.dedupe_key as string | null) ?? undefined,
    prevHash: row.prev_hash as string,
  };
}

/**
 * What a forger with write access and the public algorithm does after an edit: recompute
 * every hash from `fromSeq` on and re-link the chain, with a seal under their own key.
 */
function reseal(db: Database.Database, fromSeq: number) {
  const forger = new AuditKey(Buffer.alloc(32, 9));
  const update = db.prepare("UPDATE audit_records SET prev_hash = ?, hash = ?, seal = ? WHERE seq = ?");
  let prev = GENESIS_HASH;
  for (const row of rowsOf(db)) {
    const seq = row.seq as number;
    if (seq >= fromSeq) {
      const hash = recordHash({ ...asRecord(row), prevHash: prev });
      update.run(prev, hash, forger.sealRecord(hash), seq);
      prev = hash;
    } else prev = row.hash as string;
  }
}

describe("audit journal: keyed seals", () => {
  it("verifies an untouched chain and says how much of it is anchored", () => {
    const { journal } = journalWith(20);
    expect(journal.verify()).toMatchObject({ ok: true, records: 20, anchored: 20, keyId: key.id });
  });

  describe.each(Object.entries(FIELDS))("an edit of %s in the database", (field, { column, value }) => {
    const expected = field === "prevHash" ? "link" : "changed";

    it("is named at its record", () => {
      const { db, journal } = journalWith(20);
      db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = 7`).run(value);
      const problem = field === "seal" ? "seal" : expected;
      expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 7, problem });
    });

    // Re-hashing after an edit of the hash or the seal just overwrites the edit: the case above
    // covers those two, so the re-sealed case is declared for the other fields only.
    if (field !== "hash" && field !== "seal") {
      it("is named even when the chain is re-hashed and re-sealed with another key", () => {
        const { db, journal } = journalWith(20);
        db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = 7`).run(value);
        reseal(db, field === "prevHash" ? 8 : 7);
        expect(journal.verify()).toMatchObject({
          ok: false,
          brokenAt: 7,
          problem: field === "prevHash" ? "link" : "seal",
        });
      });
    }
  });

  it.each(NULLABLE)("names a record whose %s was erased, re-hashed or not", (column) => {
    for (const forge of [false, true]) {
      const { db, journal } = journalWith(20);
      db.prepare(`UPDATE audit_records SET ${column} = NULL WHERE seq = 11`).run();
      if (forge) reseal(db, 11);
      expect(journal.verify()).toMatchObject({
        ok: false,
        brokenAt: 11,
        problem: forge ? "seal" : "changed",
      });
    }
  });

  it("names a record whose seq was changed, re-hashed or not", () => {
    for (const forge of [false, true]) {
      const { db, journal } = journalWith(20);
      db.prepare("UPDATE audit_records SET seq = 500 WHERE seq = 20").run();
      if (forge) reseal(db, 20);
      expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 20, problem: "gap" });
    }
  });

  it("names a record whose data is no longer JSON instead of throwing", () => {
    const { db, journal } = journalWith(5);
    db.prepare("UPDATE audit_records SET data = '{not json' WHERE seq = 3").run();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 3, problem: "changed" });
  });

  it("detects a deleted record, and the chain re-linked and renumbered around it", () => {
    const { db, journal } = journalWith(20);
    db.prepare("DELETE FROM audit_records WHERE seq = 9").run();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 9, problem: "gap" });
    db.prepare("UPDATE audit_records SET seq = seq - 1 WHERE seq > 9").run();
    reseal(db, 9);
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 9, problem: "seal" });
  });

  it("detects two records swapped, re-hashed or not", () => {
    for (const forge of [false, true]) {
      const { db, journal } = journalWith(20);
      db.transaction(() => {
        db.prepare("UPDATE audit_records SET seq = -1 WHERE seq = 5").run();
        db.prepare("UPDATE audit_records SET seq = 5 WHERE seq = 6").run();
        db.prepare("UPDATE audit_records SET seq = 6 WHERE seq = -1").run();
      })();
      if (forge) reseal(db, 5);
      expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: forge ? "seal" : "link" });
    }
  });

  it("detects a record inserted by someone without the key", () => {
    const { db, journal } = journalWith(20);
    const last = rowsOf(db).at(-1) as Record<string, unknown>;
    db.prepare(
      "INSERT INTO audit_records SELECT seq + 1, at, thread_id, kind, outcome, node, tool, principal, data, NULL, prev_hash, hash, seal FROM audit_records WHERE seq = 20",
    ).run();
    reseal(db, 21);
    expect(last.seq).toBe(20);
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 21, problem: "seal" });
  });

  it("refuses a chain sealed with another key", () => {
    const { db } = journalWith(3);
    const other = new SqliteAuditJournal(db, { key: new AuditKey(Buffer.alloc(32, 1)) });
    expect(other.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: "seal" });
  });

  it("keeps one record per dedupe key, as a node re-run on resume needs", () => {
    const { journal } = journalWith(0);
    const first = journal.append({ threadId: "t", kind: "approval", outcome: "requested", dedupeKey: "k" });
    const again = journal.append({ threadId: "t", kind: "approval", outcome: "requested", dedupeKey: "k" });
    expect(again.seq).toBe(first.seq);
    expect(journal.list("t")).toHaveLength(1);
    expect(journal.verify()).toMatchObject({ ok: true, records: 1, anchored: 1 });
  });
});

describe("audit journal: the signed head", () => {
  it("detects the last records removed, with the head in memory or in a file", () => {
    const { db, journal } = journalWith(20);
    db.prepare("DELETE FROM audit_records WHERE seq > 17").run();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 18, problem: "truncated" });

    const dir = tempDir();
    fileJournal(dir, 20).journal.close();
    const cut = new Database(path.join(dir, "governor.db"));
    cut.prepare("DELETE FROM audit_records WHERE seq = 20").run();
    cut.close();
    const reopened = fileJournal(dir, 0).journal;
    expect(reopened.verify()).toMatchObject({ ok: false, brokenAt: 20, problem: "truncated" });
    reopened.close();
  });

  it("detects a cut journal written again: the head never follows a rewritten history", () => {
    const dir = tempDir();
    fileJournal(dir, 20).journal.close();
    const cut = new Database(path.join(dir, "governor.db"));
    cut.prepare("DELETE FROM audit_records WHERE seq > 15").run();
    cut.close();
    const { journal } = fileJournal(dir, 10, 100);
    expect(journal.list()).toHaveLength(25);
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 20, problem: "head-mismatch" });
    journal.close();
  });

  it("reports a head that was deleted, edited, or sealed with another key", () => {
    const dir = tempDir();
    const headFile = path.join(dir, "keys", "audit.head");
    const { journal, open } = fileJournal(dir, 5);
    journal.close();
    const good = fs.readFileSync(headFile, "utf8");

    fs.rmSync(headFile);
    let reopened = open();
    expect(reopened.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: "head" });
    reopened.close();

    fs.writeFileSync(headFile, good.replace('"records":5', '"records":3'));
    reopened = open();
    expect(reopened.verify()).toMatchObject({ ok: false, problem: "head" });
    reopened.close();

    fs.writeFileSync(headFile, "not json");
    reopened = open();
    expect(reopened.verify()).toMatchObject({ ok: false, problem: "head" });
    reopened.close();

    fs.writeFileSync(headFile, good);
    reopened = open(new AuditKey(Buffer.alloc(32, 3)));
    expect(reopened.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: "seal" });
    reopened.close();
  });

  it("lets a second writer on the same files extend the head, and a late writer never move it back", () => {
    const dir = tempDir();
    const { open } = fileJournal(dir, 0);
    const a = open();
    const b = open();
    fill(a, 3);
    fill(b, 4, 3);
    b.flush();
    a.flush();
    expect(a.verify()).toMatchObject({ ok: true, records: 7, anchored: 7 });
    a.close();
    b.close();
  });

  it("moves the head in a file after a short delay, not on every append", () => {
    vi.useFakeTimers();
    try {
      const dir = tempDir();
      const headFile = path.join(dir, "keys", "audit.head");
      const { journal } = fileJournal(dir, 0);
      fill(journal, 3);
      expect(JSON.parse(fs.readFileSync(headFile, "utf8")).records).toBe(0);
      vi.advanceTimersByTime(25);
      expect(JSON.parse(fs.readFileSync(headFile, "utf8")).records).toBe(3);
      journal.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("writes the head when the journal closes, so a verify in another process covers every record", () => {
    const dir = tempDir();
    const { journal, open } = fileJournal(dir, 0);
    fill(journal, 4);
    journal.close();
    const reader = open();
    expect(reader.verify()).toMatchObject({ ok: true, records: 4, anchored: 4 });
    reader.close();
  });
});

describe("audit journal: journals written before seals", () => {
  it("reports their records as unsealed, never as intact, and seals what is appended after", () => {
    const dir = tempDir();
    const file = path.join(dir, "governor.db");
    const legacy = new Database(file);
    legacy.exec(`CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, thread_id TEXT NOT NULL,
      kind TEXT NOT NULL, outcome TEXT NOT NULL, node TEXT, tool TEXT, principal TEXT, data TEXT NOT NULL,
      dedupe_key TEXT UNIQUE, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const record = {
        seq,
        at: "2025-01-01T00:00:00.000Z",
        threadId: "t",
        kind: "run" as const,
        outcome: "started",
        data: {},
        prevHash: prev,
      };
      const hash = recordHash(record);
      legacy
        .prepare(
          "INSERT INTO audit_records (seq, at, thread_id, kind, outcome, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, '{}', ?, ?)",
        )
        .run(seq, record.at, "t", "run", "started", prev, hash);
      prev = hash;
    }
    legacy.close();

    const { journal } = fileJournal(dir, 2);
    const verdict = journal.verify();
    expect(verdict).toMatchObject({ ok: false, brokenAt: 1, problem: "unsealed", records: 5 });
    expect(verdict.ok === false && verdict.reason).toContain("records 1–3");
    journal.close();
  });
});
