import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GovernorStore } from "@governor/core";
import {
  AuditKey,
  type AuditRecord,
  auditAnchorFor,
  GENESIS_HASH,
  recordHash,
} from "@governor/observability";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

/**
 * Audit forgery: an attacker who can write `.governor/governor.db` (but not `.governor/keys/`)
 * edits, deletes, reorders and truncates the journal, re-sealing with the public hash
 * algorithm where that helps. Every attempt must be reported at the first record it touched.
 * A verifier that always said "ok" fails every case here.
 */

const dirs: string[] = [];
const stores: GovernorStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) {
    try {
      store.close();
    } catch {
      // closed by the test
    }
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function open(dir: string): GovernorStore {
  const store = new GovernorStore(dir);
  stores.push(store);
  return store;
}

/**
 * The records a refund run leaves, appended as the runtime appends them: the run, the gate's
 * require-approval, the approver's decision, the executed refund and the run's end; three runs.
 */
function journalOfRefunds(): { dir: string; approvalSeq: number; executionSeq: number; records: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-forgery-"));
  dirs.push(dir);
  const store = open(dir);
  let approvalSeq = 0;
  let executionSeq = 0;
  for (const run of ["r1", "r2", "r3"]) {
    const base = { threadId: run, principal: "agent:support", tool: "issue_refund" };
    store.audit.append({ ...base, kind: "run", outcome: "started", data: { input: { orderId: "A-1" } } });
    store.audit.append({
      ...base,
      kind: "policy",
      outcome: "require-approval",
      node: "refund_gate",
      data: { policyIds: ["over-limit"] },
    });
    const approval = store.audit.append({
      ...base,
      kind: "approval",
      outcome: "approved",
      node: "refund_approval",
      principal: "approver:supervisor",
      data: { callHash: "c".repeat(64), approver: "approver:supervisor" },
      dedupeKey: `${run}:approval`,
    });
    const execution = store.audit.append({
      ...base,
      kind: "execution",
      outcome: "executed",
      node: "refund_action",
      data: { args: { orderId: "A-1", amount: 1200 }, result: { refundId: `R-${run}` } },
      dedupeKey: `${run}:executed`,
    });
    store.audit.append({ ...base, kind: "run", outcome: "completed" });
    if (run === "r2") {
      approvalSeq = approval.seq;
      executionSeq = execution.seq;
    }
  }
  store.close();
  return { dir, approvalSeq, executionSeq, records: 15 };
}

/** The attacker's own connection to the journal file. */
function tamper(dir: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path.join(dir, "governor.db"));
  try {
    edit(db);
  } finally {
    db.close();
  }
}

type Row = Record<string, unknown> & { seq: number; hash: string };

function asRecord(row: Row, prevHash: string): Omit<AuditRecord, "hash" | "seal"> {
  return {
    seq: row.seq,
    at: row.at as string,
    threadId: row.thread_id as string,
    kind: row.kind as AuditRecord["kind"],
    outcome: row.outcome as string,
    node: (row.node as string | null) ?? undefined,
    tool: (row.tool as string | null) ?? undefined,
    principal: (row.principal as string | null) ?? undefined,
    data: JSON.parse(row.data as string),
    dedupeKey: (row.dedupe_key as string | null) ?? undefined,
    prevHash,
  };
}

/**
 * Recomputes every hash from `fromSeq` with the public algorithm and re-links the chain,
 * sealing with a key of the attacker's own (the store's key is out of reach).
 */
function reseal(db: Database.Database, fromSeq: number): void {
  const forger = new AuditKey(Buffer.alloc(32, 66));
  const rows = db.prepare("SELECT * FROM audit_records ORDER BY seq").all() as Row[];
  const update = db.prepare("UPDATE audit_records SET prev_hash = ?, hash = ?, seal = ? WHERE seq = ?");
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.seq < fromSeq) {
      prev = row.hash;
      continue;
    }
    const hash = recordHash(asRecord(row, prev));
    update.run(prev, hash, forger.sealRecord(hash), row.seq);
    prev = hash;
  }
}

function verifyAfresh(dir: string) {
  return open(dir).audit.verify();
}

const EDITS: [field: string, column: string, value: unknown][] = [
  ["threadId", "thread_id", "r9"],
  ["kind", "kind", "policy"],
  ["outcome", "outcome", "rejected"],
  ["node", "node", "refund_gate"],
  ["tool", "tool", "issue_credit"],
  ["principal (the approver)", "principal", "approver:attacker"],
  [
    "data (the approver inside it)",
    "data",
    JSON.stringify({ callHash: "c".repeat(64), approver: "approver:attacker" }),
  ],
  ["at", "at", "2020-01-01T00:00:00.000Z"],
  ["dedupeKey", "dedupe_key", "r2:other"],
  ["prevHash", "prev_hash", "a".repeat(64)],
  ["hash", "hash", "b".repeat(64)],
  ["seal", "seal", "0".repeat(64)],
];

describe("audit forgery with write access to the journal file", () => {
  it("AF-0 an untouched journal verifies, every record anchored, after the store is reopened", () => {
    const { dir, records } = journalOfRefunds();
    expect(verifyAfresh(dir)).toMatchObject({ ok: true, records, anchored: records });
  });

  describe.each(EDITS)("AF-1 an edit of the approval record's %s", (_field, column, value) => {
    it("is named at that record", () => {
      const { dir, approvalSeq } = journalOfRefunds();
      tamper(dir, (db) =>
        db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = ?`).run(value, approvalSeq),
      );
      const verdict = verifyAfresh(dir);
      expect(verdict.ok).toBe(false);
      expect(verdict).toMatchObject({ brokenAt: approvalSeq });
    });

    it("is named at that record when the chain is re-hashed and re-sealed with the public algorithm", () => {
      const { dir, approvalSeq } = journalOfRefunds();
      tamper(dir, (db) => {
        db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = ?`).run(value, approvalSeq);
        if (column !== "prev_hash") reseal(db, approvalSeq);
      });
      const verdict = verifyAfresh(dir);
      expect(verdict.ok).toBe(false);
      expect(verdict).toMatchObject({ brokenAt: approvalSeq });
    });
  });

  it("AF-2 a deleted execution record is named, deleted plainly or with the rest renumbered and re-sealed", () => {
    for (const reseals of [false, true]) {
      const { dir, executionSeq } = journalOfRefunds();
      tamper(dir, (db) => {
        db.prepare("DELETE FROM audit_records WHERE seq = ?").run(executionSeq);
        if (!reseals) return;
        db.prepare("UPDATE audit_records SET seq = seq - 1 WHERE seq > ?").run(executionSeq);
        reseal(db, executionSeq);
      });
      expect(verifyAfresh(dir)).toMatchObject({
        ok: false,
        brokenAt: executionSeq,
        problem: reseals ? "seal" : "gap",
      });
    }
  });

  it("AF-3 two records swapped and re-sealed are named at the first", () => {
    const { dir, approvalSeq, executionSeq } = journalOfRefunds();
    tamper(dir, (db) => {
      db.prepare("UPDATE audit_records SET seq = -1 WHERE seq = ?").run(approvalSeq);
      db.prepare("UPDATE audit_records SET seq = ? WHERE seq = ?").run(approvalSeq, executionSeq);
      db.prepare("UPDATE audit_records SET seq = ? WHERE seq = -1").run(executionSeq);
      reseal(db, approvalSeq);
    });
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: approvalSeq, problem: "seal" });
  });

  it.each([1, 3, 14])("AF-4 the last %i record(s) removed are reported as a truncation", (cut) => {
    const { dir, records } = journalOfRefunds();
    tamper(dir, (db) => db.prepare("DELETE FROM audit_records WHERE seq > ?").run(records - cut));
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: records - cut + 1, problem: "truncated" });
  });

  it("AF-5 a journal cut and then written on by Governor is still reported: the head does not follow", () => {
    const { dir, executionSeq, records } = journalOfRefunds();
    tamper(dir, (db) => db.prepare("DELETE FROM audit_records WHERE seq >= ?").run(executionSeq));
    const store = open(dir);
    for (let i = 0; i < records; i++)
      store.audit.append({ threadId: "r4", kind: "run", outcome: `step-${i}` });
    store.close();
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: records, problem: "head-mismatch" });
  });

  it("AF-6 putting back an older copy of the database is reported as a truncation", () => {
    const { dir, records } = journalOfRefunds();
    const backup = path.join(dir, "governor.db.bak");
    tamper(dir, (db) => db.exec(`VACUUM INTO '${backup}'`));
    const store = open(dir);
    store.audit.append({ threadId: "r4", kind: "run", outcome: "started" });
    store.close();
    fs.copyFileSync(backup, path.join(dir, "governor.db"));
    for (const wal of ["-wal", "-shm"]) fs.rmSync(path.join(dir, `governor.db${wal}`), { force: true });
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: records + 1, problem: "truncated" });
  });

  it("AF-7 seals erased to pass the journal off as written before seals are reported, never as intact", () => {
    const { dir } = journalOfRefunds();
    tamper(dir, (db) => db.prepare("UPDATE audit_records SET seal = NULL").run());
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: 1, problem: "unsealed" });
  });

  it("AF-8 a journal sealed with another store's key does not verify under this store's key", () => {
    const { dir, records } = journalOfRefunds();
    const other = journalOfRefunds();
    fs.copyFileSync(path.join(other.dir, "keys", "audit.key"), path.join(dir, "keys", "audit.key"));
    const verdict = verifyAfresh(dir);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 1, problem: "seal" });
    expect(verdict.records).toBeLessThanOrEqual(records);
  });

  it("AF-10 a writer killed mid-run leaves a journal that still verifies, and cutting below its last head is still caught", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-forgery-crash-"));
    dirs.push(dir);
    const store = new URL("../../packages/core/src/index.ts", import.meta.url).pathname;
    // A real process: appends five records, writes its head, appends three more, and is killed before its next head write.
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { GovernorStore } from ${JSON.stringify(store)};
          const store = new GovernorStore(process.argv[1]);
          for (let i = 0; i < 5; i++) store.audit.append({ threadId: "t", kind: "run", outcome: "step" + i });
          store.audit.flush();
          for (let i = 5; i < 8; i++) store.audit.append({ threadId: "t", kind: "run", outcome: "step" + i });
          process.kill(process.pid, "SIGKILL");`,
        dir,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(child.signal, child.stderr).toBe("SIGKILL");

    expect(verifyAfresh(dir)).toMatchObject({ ok: true, records: 8, anchored: 5 });
    tamper(dir, (db) => db.prepare("DELETE FROM audit_records WHERE seq > 4").run());
    expect(verifyAfresh(dir)).toMatchObject({ ok: false, brokenAt: 5, problem: "truncated" });
  }, 240_000);

  it("AF-9 a key from the environment seals apart from the key file, and a wrong one is refused", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-forgery-env-"));
    dirs.push(dir);
    const env = {
      GOVERNOR_AUDIT_KEY: "k".repeat(40),
      GOVERNOR_AUDIT_ANCHOR: path.join(dir, "anchor", "head.json"),
    };
    const right = auditAnchorFor(dir, env);
    const wrong = auditAnchorFor(dir, { ...env, GOVERNOR_AUDIT_KEY: "w".repeat(40) });
    expect(right.key.id).not.toBe(wrong.key.id);
    expect(fs.existsSync(path.join(dir, "keys", "audit.key"))).toBe(false);
    expect(() => auditAnchorFor(dir, { GOVERNOR_AUDIT_KEY: "short" })).toThrow(/at least 32/);
  });
});
