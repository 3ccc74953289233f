import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import type { AuditQuery } from "./audit-record.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";
import { auditQuerySql } from "./sqlite-audit-query.js";

/**
 * The lookups Governor makes while a run is under way, by the shape of their query (see the
 * call sites named), and the index seek SQLite must plan for each. A lookup planned as a scan
 * of the table, or of the run's whole index range, costs in proportion to the run's (or the
 * journal's) length on every call: that is the regression these catch.
 */
const LOOKUPS: [string, AuditQuery, string][] = [
  [
    "the action node's check of a call's decisions (core nodes/recorded-decision.ts)",
    { threadId: "t", callId: "c", kinds: ["precondition", "policy", "approval", "execution"] },
    "thread_id=? AND kind=? AND <expr>=?",
  ],
  [
    "a gate's own decision already on record (core prebuilt/decide-call.ts)",
    { threadId: "t", callId: "c", kind: "policy", node: "gate", outcome: "allow" },
    "thread_id=? AND kind=? AND <expr>=?",
  ],
  [
    "the run's newest wait (core runtime/governor-runtime.ts)",
    { threadId: "t", kind: "run", outcome: "waiting", newest: true },
    "thread_id=? AND kind=?",
  ],
  [
    "refusals at an approval node (core approvals/refused-before.ts, prebuilt/batch-approval.ts)",
    { threadId: "t", kind: "approval", outcome: "refused", node: "approve" },
    "thread_id=? AND kind=?",
  ],
  [
    "an agent loop's model, execution and identity records (core agent/agent-turn-node.ts)",
    { threadId: "t", kinds: ["model", "execution", "identity"] },
    "thread_id=? AND kind=?",
  ],
];

describe("the audit lookups made during a run", () => {
  const db = new Database(":memory:");
  new SqliteAuditJournal(db, { key: new AuditKey(Buffer.alloc(32, 1)), head: new MemoryHeadStore() });

  it.each(LOOKUPS)("%s seeks the lookup index, never scans", (_site, query, seek) => {
    const { sql, params } = auditQuerySql(query);
    const plan = db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail);
    expect(plan.join("\n")).toContain(`SEARCH audit_records USING INDEX audit_records_lookup (${seek})`);
    expect(plan.filter((detail) => detail.startsWith("SCAN"))).toEqual([]);
  });
});
