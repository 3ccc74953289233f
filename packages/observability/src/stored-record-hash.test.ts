import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { recordHash } from "./audit-chain.js";
import { MemoryHeadStore } from "./audit-head.js";
import { AuditKey } from "./audit-key.js";
import type { AuditRecord } from "./audit-record.js";
import { SqliteAuditJournal } from "./sqlite-audit-journal.js";
import { storedRecordHash } from "./stored-record-hash.js";

type Unsealed = Omit<AuditRecord, "hash" | "seal">;

const base: Unsealed = {
  seq: 7,
  at: "2026-12-02T04:20:41.336Z",
  threadId: "t-1",
  kind: "policy",
  outcome: "allow",
  node: "gate",
  tool: "issue_refund",
  principal: "agent:support",
  data: {},
  dedupeKey: "k",
  prevHash: "a".repeat(64),
};

/** Stored data texts as the journal writes them, and as an edit of the file could leave them. */
const TEXTS = [
  "{}",
  '{"callId":"c1","args":{"orderId":"A-1001","amount":120},"reasons":["support may refund"],"policyIds":["p"]}',
  '{"b":1,"a":2,"10":3,"2":4,"-1":5,"01":6,"4294967295":7,"4294967294":8}',
  '{"__proto__":{"x":1},"constructor":"c","prototype":null,"toJSON":"not a function"}',
  '{"n":-0,"big":1e400,"small":-1e400,"f":0.1,"e":1e21,"i":9007199254740993}',
  '{"s":"é e\\u0301 \\ud83d\\ude00 \\ud800 \\u0000 \\"quoted\\" \\\\ tab\\t","k\\u00e9y":true,"Z":false,"a":null}',
  '{"nested":[[],[{}],[1,[2,[3,{"z":1,"y":[null,true]}]]]],"dup":1,"dup":2}',
  '{"$type":"number","value":"Infinity"}',
];

describe("storedRecordHash", () => {
  it("is recordHash for every record whose data JSON.parse read back, edge cases of keys and numbers included", () => {
    for (const text of TEXTS) {
      const data = JSON.parse(text) as Record<string, unknown>;
      for (const record of [
        { ...base, data },
        { ...base, data, node: undefined, tool: undefined, principal: undefined, dedupeKey: undefined },
        { ...base, data, seq: 123_456_789 },
      ]) {
        expect(storedRecordHash(record), text).toBe(recordHash(record));
      }
    }
  });

  it("tells a non-finite number from null and from the tag toPlainJson gives it, as recordHash does", () => {
    const infinite = storedRecordHash({ ...base, data: JSON.parse('{"v":1e400}') });
    expect(infinite).toBe(recordHash({ ...base, data: { v: Number.POSITIVE_INFINITY } }));
    expect(infinite).not.toBe(storedRecordHash({ ...base, data: { v: null } }));
    expect(storedRecordHash({ ...base, data: JSON.parse('{"v":-1e400}') })).not.toBe(infinite);
  });

  it("hands fields of another type to recordHash, which normalizes them", () => {
    const odd = [
      { ...base, at: Buffer.from(base.at) as unknown as string },
      { ...base, seq: 2 ** 60 },
      { ...base, node: 5 as unknown as string },
      { ...base, data: { when: new Date(0) } },
    ];
    for (const record of odd) expect(storedRecordHash(record)).toBe(recordHash(record));
  });

  it("reads data nested deeper than any append accepts as unsealable, without throwing", () => {
    const deep = JSON.parse(`${"[".repeat(1_001)}${"]".repeat(1_001)}`);
    expect(storedRecordHash({ ...base, data: { deep } })).toBeUndefined();
    // The deepest data an append accepts still hashes.
    const deepest = JSON.parse(`${"[".repeat(999)}${"]".repeat(999)}`);
    expect(storedRecordHash({ ...base, data: { deepest } })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("SqliteAuditJournal.verify with the stored-record hash", () => {
  const key = new AuditKey(Buffer.alloc(32, 4));

  function journalWith(data: Record<string, unknown>[]) {
    const db = new Database(":memory:");
    const journal = new SqliteAuditJournal(db, { key, head: new MemoryHeadStore() });
    for (const item of data) journal.append({ threadId: "t", kind: "policy", outcome: "allow", data: item });
    return { db, journal };
  }

  it("passes records whose data has every edge case the encoder handles", () => {
    const { journal } = journalWith(TEXTS.map((text) => JSON.parse(text)));
    expect(journal.verify()).toMatchObject({ ok: true, records: TEXTS.length });
    journal.close();
  });

  it("names a null edited into 1e400, a number JSON writes as null", () => {
    const { db, journal } = journalWith([{ a: 1 }, { v: null }, { b: 2 }]);
    db.prepare("UPDATE audit_records SET data = ? WHERE seq = 2").run('{"v":1e400}');
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 2, problem: "changed" });
    journal.close();
  });

  it("names a field rewritten as a BLOB of the same bytes", () => {
    const { db, journal } = journalWith([{ a: 1 }, { b: 2 }]);
    db.prepare("UPDATE audit_records SET outcome = CAST(outcome AS BLOB) WHERE seq = 2").run();
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 2, problem: "changed" });
    journal.close();
  });

  it("names data edited into nesting deeper than an append accepts, instead of throwing", () => {
    const { db, journal } = journalWith([{ a: 1 }, { b: 2 }]);
    db.prepare("UPDATE audit_records SET data = ? WHERE seq = 1").run(
      `{"a":${"[".repeat(1_200)}${"]".repeat(1_200)}}`,
    );
    expect(journal.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: "changed" });
    journal.close();
  });
});
