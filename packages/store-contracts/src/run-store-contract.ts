import type { RunRecord, RunStore } from "@governor/core";
import { describe, expect, it, vi } from "vitest";
import { eachStore, failureOf } from "./each-store.js";
import type { OpenStore } from "./opened-store.js";

const principal = {
  id: "agent:support",
  agentId: "support",
  role: "support",
  scopes: ["refund:write"],
} as never;
const ids = (runs: readonly RunRecord[]) => runs.map((run) => run.threadId);
const minute = (i: number) => new Date(Date.UTC(2026, 11, 1, 9, i));

/** Creates a run as if at `when`: the store stamps runs with the current time. */
async function createAt(store: RunStore, when: Date, run: Parameters<RunStore["create"]>[0]): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(when);
  try {
    await store.create(run);
  } finally {
    vi.useRealTimers();
  }
}

/** Six runs, one a minute from 09:00: r0..r5, alternating refund/claims, r1 and r4 waiting. */
async function seed(store: RunStore): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await createAt(store, minute(i), {
      threadId: `r${i}`,
      workflow: i % 2 ? "claims" : "refund",
      source: "sample:x",
      principal,
    });
    await store.setStatus(`r${i}`, i === 1 || i === 4 ? "waiting" : "completed");
  }
}

/** The run store's contract: records, queued inputs, kept answers, listings, filters and pages. */
export function describeRunStoreContract(label: string, open: OpenStore<RunStore>): void {
  describe(`RunStore contract: ${label}`, () => {
    const current = eachStore(open);

    it("reads a created run back, principal and times included", async () => {
      const { store } = current();
      await createAt(store, minute(0), {
        threadId: "t1",
        workflow: "refund",
        source: "sample:refund",
        principal,
      });
      const run = await store.get("t1");
      expect(run).toMatchObject({
        threadId: "t1",
        workflow: "refund",
        source: "sample:refund",
        status: "running",
        principal,
        createdAt: minute(0).toISOString(),
        updatedAt: minute(0).toISOString(),
      });
      expect(run?.error).toBeUndefined();
      expect(await store.get("t2")).toBeUndefined();
    });

    it("refuses a second run with the same thread id, keeping the first", async () => {
      const { store } = current();
      await store.create({ threadId: "t1", workflow: "refund", source: "sample:refund", principal });
      const error = await failureOf(() =>
        store.create({ threadId: "t1", workflow: "claims", source: "sample:claims", principal }),
      );
      expect(error).toMatchObject({ code: "CONFIG_INVALID" });
      expect(await store.get("t1")).toMatchObject({ workflow: "refund" });
    });

    it("moves a run through its statuses, keeping a failure's error", async () => {
      const { store } = current();
      await createAt(store, minute(0), { threadId: "t1", workflow: "refund", source: "s", principal });
      await store.setStatus("t1", "waiting");
      expect(await store.get("t1")).toMatchObject({ status: "waiting" });
      await store.setStatus("t1", "failed", "tool refund threw: card declined");
      const failed = await store.get("t1");
      expect(failed).toMatchObject({ status: "failed", error: "tool refund threw: card declined" });
      expect(String(failed?.updatedAt) > String(failed?.createdAt)).toBe(true);
      await store.setStatus("t1", "completed");
      expect((await store.get("t1"))?.error).toBeUndefined();
    });

    it("keeps a queued run's input until a worker reads it; a run started in-process has none", async () => {
      const { store } = current();
      const input = { orderId: "o-1", amount: 12.5, items: [{ sku: "a" }], note: "ünïcode" };
      await store.create({
        threadId: "q1",
        workflow: "refund",
        source: "s",
        principal,
        status: "queued",
        input,
      });
      await store.create({ threadId: "p1", workflow: "refund", source: "s", principal });
      expect(await store.get("q1")).toMatchObject({ status: "queued" });
      expect(await store.input("q1")).toEqual(input);
      expect(await store.input("p1")).toBeUndefined();
      expect(await store.input("nope")).toBeUndefined();
      expect(await store.find({ status: "queued" })).toHaveLength(1);
    });

    it("keeps one answer for a waiting run: a second replaces the first, undefined clears it", async () => {
      const { store } = current();
      await store.create({ threadId: "t1", workflow: "refund", source: "s", principal });
      expect(await store.answer("t1")).toBeUndefined();
      await store.setAnswer("t1", { approve: "token-1" });
      expect(await store.answer("t1")).toEqual({ approve: "token-1" });
      await store.setAnswer("t1", ["token-2", "token-3"]);
      expect(await store.answer("t1")).toEqual(["token-2", "token-3"]);
      await store.setAnswer("t1", undefined);
      expect(await store.answer("t1")).toBeUndefined();
    });

    it("lists every run oldest first, or those in one status", async () => {
      const { store } = current();
      await seed(store);
      expect(ids(await store.list())).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
      expect(ids(await store.list("waiting"))).toEqual(["r1", "r4"]);
      expect(await store.list("queued")).toEqual([]);
    });

    it("finds runs newest first, in pages that neither overlap nor skip", async () => {
      const { store } = current();
      await seed(store);
      expect(ids(await store.find())).toEqual(["r5", "r4", "r3", "r2", "r1", "r0"]);
      expect(ids(await store.find({}, { limit: 4 }))).toEqual(["r5", "r4", "r3", "r2"]);
      expect(ids(await store.find({}, { limit: 4, offset: 4 }))).toEqual(["r1", "r0"]);
      expect(ids(await store.find({}, { limit: 4, offset: 8 }))).toEqual([]);
      expect(await store.count()).toBe(6);
    });

    it("pages runs started in the same millisecond by thread id, without overlap", async () => {
      const { store } = current();
      for (const id of ["b", "a", "c"])
        await createAt(store, minute(0), { threadId: id, workflow: "w", source: "s", principal });
      const pages = [
        ...(await store.find({}, { limit: 2 })),
        ...(await store.find({}, { limit: 2, offset: 2 })),
      ];
      expect(ids(pages)).toEqual(["c", "b", "a"]);
    });

    it("filters by status, workflow and start time, together or alone", async () => {
      const { store } = current();
      await seed(store);
      expect(ids(await store.find({ status: "waiting" }))).toEqual(["r4", "r1"]);
      expect(ids(await store.find({ workflow: "refund" }))).toEqual(["r4", "r2", "r0"]);
      expect(ids(await store.find({ since: minute(3) }))).toEqual(["r5", "r4", "r3"]);
      expect(ids(await store.find({ status: "waiting", workflow: "refund", since: minute(2) }))).toEqual([
        "r4",
      ]);
      expect(await store.count({ workflow: "claims" })).toBe(3);
      expect(await store.count({ status: "waiting", since: minute(2) })).toBe(1);
      await store.setStatus("r5", "failed");
      expect(ids(await store.find({ status: "completed" }, { limit: 1 }))).toEqual(["r3"]);
    });

    it.each([
      [{ limit: 0 }, "limit"],
      [{ limit: 2.5 }, "limit"],
      [{ limit: 2, offset: -1 }, "offset"],
    ])("refuses the page %j with CONFIG_INVALID naming its %s", async (page, what) => {
      const error = await failureOf(() => current().store.find({}, page));
      expect(error).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringContaining(what) });
    });

    it("refuses an invalid since date", async () => {
      const { store } = current();
      expect(await failureOf(() => store.find({ since: new Date("nope") }))).toMatchObject({
        code: "CONFIG_INVALID",
      });
      expect(await failureOf(() => store.count({ since: new Date("nope") }))).toMatchObject({
        code: "CONFIG_INVALID",
      });
    });

    it("finds runs by a thread id prefix, only those with it, at most the number asked", async () => {
      const { store } = current();
      await seed(store);
      for (const id of ["abc-1", "abd-2", "ab", "aB-3", "abz"])
        await store.create({ threadId: id, workflow: "refund", source: "s", principal });
      expect(ids(await store.withPrefix("abc"))).toEqual(["abc-1"]);
      expect(ids(await store.withPrefix("ab"))).toEqual(["ab", "abc-1"]);
      expect(ids(await store.withPrefix("ab", 10))).toEqual(["ab", "abc-1", "abd-2", "abz"]);
      expect(ids(await store.withPrefix("r", 10))).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
      expect(ids(await store.withPrefix("aB"))).toEqual(["aB-3"]);
      expect(await store.withPrefix("zz")).toEqual([]);
    });

    it("shows a run created on another instance", async () => {
      const opened = current();
      if (!opened.another) return;
      const other = await opened.another();
      await other.create({
        threadId: "t1",
        workflow: "refund",
        source: "s",
        principal,
        status: "queued",
        input: { a: 1 },
      });
      expect(await opened.store.get("t1")).toMatchObject({ status: "queued" });
      expect(await opened.store.input("t1")).toEqual({ a: 1 });
    });
  });
}
