import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FileHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import type { AuditKind } from "./audit-record.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";

// Tail truncation at scale: 20,000 records (the bench verifies 100,000, see bench/src/audit-scale).
const RECORDS = 20_000;
const KINDS: AuditKind[] = ["run", "model", "precondition", "policy", "approval", "execution"];
const key = new AuditKey(Buffer.alloc(32, 5));
const dirs: string[] = [];
/** The snapshots every test copies from, removed after the last. */
const snapshotDirs: string[] = [];
const remove = (list: string[]) => {
  for (const dir of list.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
};
afterEach(() => remove(dirs));
afterAll(() => remove(snapshotDirs));

/** A store's layout: the journal in governor.db, its head in keys/audit.head (as GovernorStore keeps them). */
function store(from?: string, owner = dirs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-audit-scale-"));
  owner.push(dir);
  if (from) fs.cpSync(from, dir, { recursive: true });
  const file = path.join(dir, "governor.db");
  const open = (flushAfterMs?: number) => {
    const db = new Database(file);
    const journal = new SqliteAuditJournal(db, {
      key,
      head: new FileHeadStore(path.join(dir, "keys", "audit.head")),
      flushAfterMs,
    });
    return { db, journal };
  };
  /** Runs SQL on the file from a connection of its own, as someone editing the database would. */
  const edit = (sql: string) => {
    const db = new Database(file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  return { dir, file, open, edit };
}

/** `count` decision records with the data real runs write, appended in batches of 1,000 (one commit each). */
function fill(db: Database.Database, journal: SqliteAuditJournal, count: number, from = 0) {
  for (let start = from; start < from + count; start += 1_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(start + 1_000, from + count); i++) {
        journal.append({
          threadId: `run-${Math.floor(i / 12)}`,
          kind: KINDS[i % KINDS.length] as AuditKind,
          outcome: i % 5 ? "allow" : "require-approval",
          node: "refund_gate",
          tool: "issue_refund",
          principal: "agent:support",
          data: {
            callId: `call-${i}`,
            args: { orderId: `A-${i}`, amount: i % 900, reason: "customer request" },
            reasons: ["support agents may refund customers' orders"],
            policyIds: ["support-may-refund"],
          },
        });
      }
    })();
  }
}

/**
 * Built once: the store at RECORDS / 2 records and at RECORDS, each closed (every record
 * anchored, as a process leaves it at exit). Each test works on a copy of its own.
 */
const snapshots = { half: "", full: "" };
beforeAll(() => {
  const s = store(undefined, snapshotDirs);
  let { db, journal } = s.open();
  fill(db, journal, RECORDS / 2);
  journal.close();
  snapshots.half = store(s.dir, snapshotDirs).dir;
  ({ db, journal } = s.open());
  fill(db, journal, RECORDS / 2, RECORDS / 2);
  journal.close();
  snapshots.full = s.dir;
}, 60_000);

/** A copy of the store at RECORDS records. */
const filledStore = () => store(snapshots.full);

function verifyIn(s: ReturnType<typeof store>) {
  const { journal } = s.open();
  try {
    return journal.verify();
  } finally {
    journal.close();
  }
}

describe(`tail truncation at ${RECORDS.toLocaleString("en")} records`, () => {
  it("verifies the whole journal, every record anchored once the writer closed", () => {
    const s = filledStore();
    expect(verifyIn(s)).toMatchObject({ ok: true, records: RECORDS, anchored: RECORDS });
  });

  it("names the last record when only it was deleted", () => {
    const s = filledStore();
    s.edit(`DELETE FROM audit_records WHERE seq = ${RECORDS}`);
    const result = verifyIn(s);
    expect(result).toMatchObject({
      ok: false,
      records: RECORDS - 1,
      brokenAt: RECORDS,
      problem: "truncated",
    });
    expect(result.ok || result.reason).toContain(`record ${RECORDS} was removed`);
  });

  it("names the first missing record when the last 500 were deleted", () => {
    const s = filledStore();
    s.edit(`DELETE FROM audit_records WHERE seq > ${RECORDS - 500}`);
    const result = verifyIn(s);
    expect(result).toMatchObject({ ok: false, brokenAt: RECORDS - 499, problem: "truncated" });
    expect(result.ok || result.reason).toContain(`records ${RECORDS - 499}–${RECORDS} were removed`);
  });

  it("detects the whole database file put back to an older copy while the head stays newer", () => {
    const s = filledStore();
    // Closing checkpointed the WAL, so each copy's governor.db is its whole journal.
    expect(fs.existsSync(`${s.file}-wal`)).toBe(false);
    // The rollback: yesterday's database over today's, today's head left where it is.
    fs.copyFileSync(path.join(snapshots.half, "governor.db"), s.file);
    const result = verifyIn(s);
    expect(result).toMatchObject({
      ok: false,
      records: RECORDS / 2,
      brokenAt: RECORDS / 2 + 1,
      problem: "truncated",
    });
    expect(result.ok || result.reason).toContain(`records ${RECORDS / 2 + 1}–${RECORDS} were removed`);
  });
});

describe("the window between an append and the head that covers it", () => {
  // Not a matter of scale: a small journal shows it as well as a large one.
  const BASE = 100;

  it("leaves the newest records sealed but unanchored while the writer runs, and anchors them all when it closes", () => {
    const s = store();
    const first = s.open();
    fill(first.db, first.journal, BASE);
    first.journal.close();
    // A writer whose head has not followed yet (a long delay stands in for "the last few ms before a crash").
    const writer = s.open(60_000);
    fill(writer.db, writer.journal, 50, BASE);
    writer.journal.flush();
    fill(writer.db, writer.journal, 50, BASE + 50);

    // Another process verifying now sees the head at BASE + 50: the last 50 are sealed, not anchored.
    expect(verifyIn(s)).toMatchObject({ ok: true, records: BASE + 100, anchored: BASE + 50 });

    // The honest limit: if the writer died now, cutting those 50 would not be detected.
    s.edit(`DELETE FROM audit_records WHERE seq > ${BASE + 50}`);
    expect(verifyIn(s)).toMatchObject({ ok: true, records: BASE + 50, anchored: BASE + 50 });

    // Once the writer has flushed (close() does; every CLI command closes the store before it exits), a cut is named.
    fill(writer.db, writer.journal, 20, 2 * BASE);
    writer.journal.close();
    expect(verifyIn(s)).toMatchObject({ ok: true, records: BASE + 70, anchored: BASE + 70 });
    s.edit(`DELETE FROM audit_records WHERE seq > ${BASE + 60}`);
    expect(verifyIn(s)).toMatchObject({ ok: false, brokenAt: BASE + 61, problem: "truncated" });
  });
});
