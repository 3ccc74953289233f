import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";

function journalWith(records: number) {
  const db = new Database(":memory:");
  const journal = new SqliteAuditJournal(db);
  for (let i = 0; i < records; i++) {
    journal.append({
      threadId: `t${i % 3}`,
      kind: "policy",
      outcome: i % 2 ? "allow" : "deny",
      tool: "issue_refund",
      data: { amount: i * 10 },
    });
  }
  return { db, journal };
}

describe("audit journal hash chain", () => {
  it("verifies an untouched chain", () => {
    const { journal } = journalWith(20);
    expect(journal.verify()).toMatchObject({ ok: true, records: 20 });
  });

  it("names the record whose data was changed", () => {
    const { db, journal } = journalWith(20);
    db.prepare("UPDATE audit_records SET data = ? WHERE seq = 17").run(JSON.stringify({ amount: 1 }));
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 17 });
  });

  it("detects a deleted record", () => {
    const { db, journal } = journalWith(20);
    db.prepare("DELETE FROM audit_records WHERE seq = 9").run();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 10 });
  });

  it("detects two records swapped", () => {
    const { db, journal } = journalWith(20);
    const swap = db.transaction(() => {
      db.prepare("UPDATE audit_records SET seq = -1 WHERE seq = 5").run();
      db.prepare("UPDATE audit_records SET seq = 5 WHERE seq = 6").run();
      db.prepare("UPDATE audit_records SET seq = 6 WHERE seq = -1").run();
    });
    swap();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 5 });
  });

  it("keeps one record per dedupe key, as a node re-run on resume needs", () => {
    const { journal } = journalWith(0);
    const first = journal.append({ threadId: "t", kind: "approval", outcome: "requested", dedupeKey: "k" });
    const again = journal.append({ threadId: "t", kind: "approval", outcome: "requested", dedupeKey: "k" });
    expect(again.seq).toBe(first.seq);
    expect(journal.list("t")).toHaveLength(1);
  });
});
