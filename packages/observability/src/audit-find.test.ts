import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import { findInList, matchesAuditQuery } from "./audit-query.js";
import type { AuditKind, AuditQuery } from "./audit-record.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";
import { auditQuerySql } from "./sqlite-audit-query.js";

const key = new AuditKey(Buffer.alloc(32, 9));
const DECISION_KINDS: AuditKind[] = ["precondition", "policy", "approval", "execution"];
const KINDS: AuditKind[] = ["run", "model", ...DECISION_KINDS];

afterEach(() => vi.restoreAllMocks());

function open(db = new Database(":memory:"), head = new MemoryHeadStore()) {
  return { db, head, journal: new SqliteAuditJournal(db, { key, head }) };
}

/** `records` records in thread `t`, spread over kinds, outcomes, nodes and ten calls. */
function fill(journal: SqliteAuditJournal, records: number, threadId = "t") {
  for (let i = 0; i < records; i++) {
    journal.append({
      threadId,
      kind: KINDS[i % KINDS.length] as AuditKind,
      outcome: i % 3 ? "allow" : "waiting",
      node: `n${i % 4}`,
      data: { callId: `c${i % 10}`, i },
    });
  }
}

describe("AuditJournal.find", () => {
  it("returns exactly the run's records list() holds that match, in chain order", () => {
    const { journal } = open();
    fill(journal, 120);
    fill(journal, 30, "other");
    const queries: AuditQuery[] = [
      { threadId: "t" },
      { threadId: "t", callId: "c3" },
      { threadId: "t", callId: "c3", kinds: DECISION_KINDS },
      { threadId: "t", callId: "c3", kind: "policy", node: "n1" },
      { threadId: "t", kind: "run", outcome: "waiting" },
      { threadId: "t", kind: "run", outcome: "waiting", newest: true },
      { threadId: "t", kinds: [] },
      { threadId: "t", callId: "nobody", kinds: DECISION_KINDS },
      { threadId: "none", kind: "run" },
    ];
    const all = journal.list("t");
    for (const query of queries) {
      const expected = findInList(all, query);
      expect(journal.find(query), JSON.stringify(query)).toEqual(expected);
    }
    // The expectations are not vacuous.
    expect(findInList(all, queries[2] as AuditQuery).length).toBeGreaterThan(3);
    expect(findInList(all, queries[5] as AuditQuery)).toHaveLength(1);
    journal.close();
  });

  it("answers a call's decisions in a 10k-record run from the index, reading only the records it returns", () => {
    const { db, journal } = open();
    fill(journal, 10_000);
    const query = { threadId: "t", callId: "c7", kinds: DECISION_KINDS, node: "n3" } as const;
    const { sql, params } = auditQuerySql(query);
    const plan = db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail)
      .join("\n");
    expect(plan).toContain("USING INDEX audit_records_lookup (thread_id=? AND kind=? AND <expr>=?)");
    // Every record read is parsed once: a lookup that read the run would parse 10k.
    const parse = vi.spyOn(JSON, "parse");
    const found = journal.find(query);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((record) => matchesAuditQuery(record, query))).toBe(true);
    expect(parse.mock.calls.length).toBe(found.length);
    parse.mockClear();
    expect(journal.find({ threadId: "t", kind: "run", outcome: "waiting", newest: true })).toHaveLength(1);
    expect(parse.mock.calls.length).toBeLessThan(1000);
    journal.close();
  });

  it("indexes a journal written before the lookup index existed, and keeps it in step with older writers", () => {
    const db = new Database(":memory:");
    const head = new MemoryHeadStore();
    const first = new SqliteAuditJournal(db, { key, head });
    fill(first, 40);
    // The journal as earlier versions left it: indexed by run alone.
    db.exec(
      "DROP INDEX audit_records_lookup; CREATE INDEX audit_records_thread ON audit_records (thread_id, seq)",
    );
    const reopened = new SqliteAuditJournal(db, { key, head });
    const names = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_records'",
      )
      .all()
      .map((row) => row.name);
    expect(names).toContain("audit_records_lookup");
    expect(names).not.toContain("audit_records_thread");
    const query = { threadId: "t", callId: "c1", kinds: DECISION_KINDS };
    expect(reopened.find(query)).toEqual(findInList(reopened.list("t"), query));
    expect(reopened.verify().ok).toBe(true);
  });

  it("opens a journal holding a record whose data is not JSON, and verify names it", () => {
    const { db, head, journal } = open();
    fill(journal, 5);
    db.exec("DROP INDEX audit_records_lookup");
    db.prepare("UPDATE audit_records SET data = 'not json' WHERE seq = 3").run();
    const reopened = new SqliteAuditJournal(db, { key, head });
    expect(reopened.verify()).toMatchObject({ ok: false, brokenAt: 3, problem: "changed" });
    // Found by kind as list() holds it, and about no call: its data reads as unparseable.
    expect(reopened.find({ threadId: "t", kinds: KINDS })).toEqual(reopened.list("t"));
    expect(reopened.find({ threadId: "t", callId: "c2", kinds: KINDS })).toEqual([]);
  });

  it("verify reports data the index reads as another call than the chain does (a record hidden from find)", () => {
    const { db, journal } = open();
    fill(journal, 12);
    const target = journal.find({ threadId: "t", callId: "c4", kind: "approval" })[0];
    expect(target).toBeDefined();
    expect(journal.verify().ok).toBe(true);
    // The same object to JSON.parse (the last key wins), so its hash and seal still hold;
    // SQLite reads the first key, so the index files it under another call.
    const stored = db
      .prepare<[number], { data: string }>("SELECT data FROM audit_records WHERE seq = ?")
      .get(target?.seq as number)?.data as string;
    db.prepare("UPDATE audit_records SET data = ? WHERE seq = ?").run(
      `{"callId":"elsewhere",${stored.slice(1)}`,
      target?.seq,
    );
    expect(journal.find({ threadId: "t", callId: "c4", kind: "approval" })).toEqual([]);
    // Nor is it found under the call the index now names: its own fields say otherwise.
    expect(journal.find({ threadId: "t", callId: "elsewhere", kind: "approval" })).toEqual([]);
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: target?.seq, problem: "changed" });
  });
});
