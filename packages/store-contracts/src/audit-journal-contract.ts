import {
  type AuditJournal,
  AuditKey,
  type AuditRecord,
  type Awaitable,
  GENESIS_HASH,
  isDeduplicated,
} from "@governor/observability";
import { afterEach, describe, expect, it } from "vitest";

/** The columns an edit of the journal's table may touch (the same names in every backend). */
export type AuditColumn = "data" | "outcome" | "prev_hash" | "hash" | "seal" | "node" | "at";

/**
 * What someone with write access to the journal's database (and not its key) can do, in the
 * backend's own terms: the contract says what `verify` must then report.
 */
export interface AuditTamper {
  /** Sets one column of record `seq` (null erases it). */
  setColumn(seq: number, column: AuditColumn, value: string | null): Awaitable<void>;
  /** Removes records `from`–`to` (inclusive). */
  deleteRecords(from: number, to: number): Awaitable<void>;
  /** Gives records `a` and `b` each other's place in the chain. */
  swapRecords(a: number, b: number): Awaitable<void>;
}

/** One journal under test, over storage of its own. */
export interface AuditJournalUnderTest {
  readonly journal: AuditJournal;
  readonly tamper: AuditTamper;
  /** Another journal over the same storage (another process, say), sealing with `key`. */
  reopen(key: AuditKey): Awaitable<AuditJournal>;
  close(): Awaitable<void>;
}

/** Opens a fresh, empty journal sealing with `key`. */
export type OpenAuditJournal = (key: AuditKey) => Promise<AuditJournalUnderTest>;

const KEY = new AuditKey(Buffer.alloc(32, 7));

/**
 * The behaviour every `AuditJournal` backend must have, as vitest cases: appends chained and
 * sealed in order, dedupe keys kept once (also when appended at the same moment), `find` by
 * call, kind, outcome and node, and `verify` naming the first record that does not hold after
 * an edit, a deletion, a swap or a cut of the end of the table.
 *
 * @example describeAuditJournalContract("sqlite", async (key) => ({ journal, tamper, reopen, close }))
 */
export function describeAuditJournalContract(label: string, open: OpenAuditJournal): void {
  describe(`AuditJournal contract: ${label}`, () => {
    const opened: AuditJournalUnderTest[] = [];
    const journalWith = async (records: number) => {
      const under = await open(KEY);
      opened.push(under);
      await fill(under.journal, records);
      return under;
    };
    afterEach(async () => {
      for (const under of opened.splice(0)) await under.close();
    });

    it("chains appends in order, each sealed, and lists them by run or all", async () => {
      const { journal } = await journalWith(6);
      const all = await journal.list();
      expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(all[0]?.prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < all.length; i++) expect(all[i]?.prevHash).toBe(all[i - 1]?.hash);
      expect(all.every((record) => typeof record.seal === "string")).toBe(true);
      expect((await journal.list("t1")).map((record) => record.seq)).toEqual([2, 5]);
      expect(await journal.list("nobody")).toEqual([]);
    });

    it("returns what it stored: the record read back equals the one appended", async () => {
      const { journal } = await journalWith(0);
      const appended = await journal.append({
        threadId: "t",
        kind: "execution",
        outcome: "executed",
        node: "refund",
        tool: "issue_refund",
        principal: "agent:support",
        data: { callId: "c1", nested: { z: 1, a: [1, "two", null] }, at: new Date("2026-01-01T00:00:00Z") },
      });
      expect(appended.data).toEqual({
        callId: "c1",
        nested: { z: 1, a: [1, "two", null] },
        at: "2026-01-01T00:00:00.000Z",
      });
      expect(await journal.list("t")).toEqual([appended]);
    });

    it("refuses circular data with VALUE_UNSERIALIZABLE and writes nothing", async () => {
      const { journal } = await journalWith(0);
      const data: Record<string, unknown> = {};
      data.self = data;
      await expect(
        Promise.resolve().then(() =>
          journal.append({ threadId: "t", kind: "policy", outcome: "deny", data }),
        ),
      ).rejects.toMatchObject({ code: "VALUE_UNSERIALIZABLE" });
      expect(await journal.list()).toEqual([]);
    });

    it("keeps one record per dedupe key, also for appends made at the same moment", async () => {
      const { journal } = await journalWith(0);
      const first = await journal.append({
        threadId: "t",
        kind: "approval",
        outcome: "requested",
        dedupeKey: "k",
      });
      const again = await journal.append({
        threadId: "t",
        kind: "approval",
        outcome: "requested",
        dedupeKey: "k",
      });
      expect(again.seq).toBe(first.seq);
      expect(isDeduplicated(again)).toBe(true);
      expect(isDeduplicated(first)).toBe(false);
      const together = await Promise.all(
        Array.from({ length: 8 }, () =>
          journal.append({ threadId: "t", kind: "policy", outcome: "allow", dedupeKey: "same" }),
        ),
      );
      expect(new Set(together.map((record) => record.seq)).size).toBe(1);
      expect(await journal.list("t")).toHaveLength(2);
      expect(await journal.verify()).toMatchObject({ ok: true, records: 2, anchored: 2 });
    });

    it("takes any text as a dedupe key: quotes, backslashes and SQL are data, never code", async () => {
      const { journal } = await journalWith(0);
      const keys = ["it's", "back\\slash\\", "'); DELETE FROM audit_records; --", "E'\\x'", 'é 😀 "q"'];
      const first = await Promise.all(
        keys.map((dedupeKey) =>
          journal.append({ threadId: "t", kind: "run", outcome: "started", dedupeKey }),
        ),
      );
      const again = await Promise.all(
        keys.map((dedupeKey) =>
          journal.append({ threadId: "t", kind: "run", outcome: "started", dedupeKey }),
        ),
      );
      expect(again.map((record) => record.seq)).toEqual(first.map((record) => record.seq));
      expect(again.every(isDeduplicated)).toBe(true);
      expect((await journal.list()).map((record) => record.dedupeKey)).toEqual(keys);
      expect(await journal.verify()).toMatchObject({ ok: true, records: keys.length });
    });

    it("keeps appends made at once dense and in one chain", async () => {
      const { journal } = await journalWith(0);
      const records = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          journal.append({ threadId: `t${i % 4}`, kind: "policy", outcome: "allow" }),
        ),
      );
      expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await journal.verify()).toMatchObject({ ok: true, records: 50, anchored: 50, keyId: KEY.id });
    });

    it("finds a run's records by call, kind, kinds, outcome, node, and the newest", async () => {
      const { journal } = await journalWith(0);
      const append = (kind: AuditRecord["kind"], outcome: string, callId?: string, node?: string) =>
        journal.append({
          threadId: "t",
          kind,
          outcome,
          ...(node ? { node } : {}),
          data: callId ? { callId } : {},
        });
      await append("policy", "allow", "c1", "gate");
      await append("approval", "requested", "c1", "ask");
      await append("approval", "approved", "c1", "ask");
      await append("execution", "executed", "c2", "act");
      await journal.append({ threadId: "other", kind: "policy", outcome: "allow", data: { callId: "c1" } });
      const seqs = async (query: Omit<Parameters<AuditJournal["find"]>[0], "threadId">) =>
        (await journal.find({ threadId: "t", ...query })).map((record) => record.seq);
      expect(await seqs({ callId: "c1", kind: "approval" })).toEqual([2, 3]);
      expect(await seqs({ callId: "c1", kinds: ["policy", "execution"] })).toEqual([1]);
      expect(await seqs({ kinds: [] })).toEqual([]);
      expect(await seqs({ outcome: "executed" })).toEqual([4]);
      expect(await seqs({ node: "ask" })).toEqual([2, 3]);
      expect(await seqs({ callId: "c1", newest: true })).toEqual([3]);
      expect(await seqs({ callId: "nope", kind: "policy" })).toEqual([]);
    });

    it("verifies an empty journal and an untouched one, anchored to its end", async () => {
      expect(await (await journalWith(0)).journal.verify()).toMatchObject({ ok: true, records: 0 });
      expect(await (await journalWith(20)).journal.verify()).toMatchObject({
        ok: true,
        records: 20,
        anchored: 20,
        keyId: KEY.id,
      });
    });

    it("lets a second journal on the same storage extend the one chain", async () => {
      const under = await journalWith(3);
      const second = await under.reopen(KEY);
      await fill(second, 4, 3);
      await fill(under.journal, 2, 7);
      expect((await under.journal.list()).map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await second.verify()).toMatchObject({ ok: true, records: 9, anchored: 9 });
    });

    it.each([
      ["data", JSON.stringify({ amount: 1 }), "changed"],
      ["data", "{not json", "changed"],
      ["outcome", "approved", "changed"],
      ["at", "2020-01-01T00:00:00.000Z", "changed"],
      ["node", null, "changed"],
      ["prev_hash", "f".repeat(64), "link"],
      ["hash", "e".repeat(64), "changed"],
      ["seal", "d".repeat(64), "seal"],
      ["seal", null, "unsealed"],
    ] as const)("names record 7 when its %s is set to %j (%s)", async (column, value, problem) => {
      const { journal, tamper } = await journalWith(20);
      await tamper.setColumn(7, column, value);
      expect(await journal.verify()).toMatchObject({ ok: false, brokenAt: 7, problem });
    });

    it("names a deleted record, two swapped, and records cut from the end", async () => {
      const deleted = await journalWith(20);
      await deleted.tamper.deleteRecords(9, 9);
      expect(await deleted.journal.verify()).toMatchObject({ ok: false, brokenAt: 9, problem: "gap" });

      const swapped = await journalWith(20);
      await swapped.tamper.swapRecords(5, 6);
      expect(await swapped.journal.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: "link" });

      const cut = await journalWith(20);
      await cut.tamper.deleteRecords(18, 20);
      expect(await cut.journal.verify()).toMatchObject({
        ok: false,
        brokenAt: 18,
        problem: "truncated",
        records: 17,
      });
    });

    it("keeps a cut visible after more appends: the head never follows a rewritten history", async () => {
      const { journal, tamper } = await journalWith(20);
      await tamper.deleteRecords(16, 20);
      await fill(journal, 10, 100);
      expect(await journal.list()).toHaveLength(25);
      expect(await journal.verify()).toMatchObject({ ok: false, brokenAt: 20, problem: "head-mismatch" });
    });

    it("refuses a chain sealed with another key", async () => {
      const under = await journalWith(3);
      const other = await under.reopen(new AuditKey(Buffer.alloc(32, 1)));
      expect(await other.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: "seal" });
    });
  });
}

async function fill(journal: AuditJournal, records: number, from = 0): Promise<void> {
  for (let i = from; i < from + records; i++) {
    await journal.append({
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
