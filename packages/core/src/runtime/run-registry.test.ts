import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RunRegistry } from "./run-registry.js";

const principal = { id: "agent:support", agentId: "support", role: "support", scopes: [] } as never;
let db: Database.Database;
let runs: RunRegistry;

/** Six runs, one a minute from 09:00: r0..r5, alternating refund/claims, r1 and r4 waiting. */
function seed(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  for (let i = 0; i < 6; i++) {
    vi.setSystemTime(new Date(Date.UTC(2026, 11, 1, 9, i)));
    runs.create({ threadId: `r${i}`, workflow: i % 2 ? "claims" : "refund", source: "sample:x", principal });
    runs.setStatus(`r${i}`, i === 1 || i === 4 ? "waiting" : "completed");
  }
  vi.useRealTimers();
}

beforeEach(() => {
  db = new Database(":memory:");
  runs = new RunRegistry(db);
  seed();
});
afterEach(() => db.close());

const ids = (list: readonly { threadId: string }[]) => list.map((run) => run.threadId);

describe("RunRegistry.find", () => {
  it("lists newest first, in pages that neither overlap nor skip", () => {
    expect(ids(runs.find())).toEqual(["r5", "r4", "r3", "r2", "r1", "r0"]);
    expect(ids(runs.find({}, { limit: 4 }))).toEqual(["r5", "r4", "r3", "r2"]);
    expect(ids(runs.find({}, { limit: 4, offset: 4 }))).toEqual(["r1", "r0"]);
    expect(runs.count()).toBe(6);
  });

  it("filters by status, workflow and start time, together or alone", () => {
    expect(ids(runs.find({ status: "waiting" }))).toEqual(["r4", "r1"]);
    expect(ids(runs.find({ workflow: "refund" }))).toEqual(["r4", "r2", "r0"]);
    expect(ids(runs.find({ since: new Date(Date.UTC(2026, 11, 1, 9, 3)) }))).toEqual(["r5", "r4", "r3"]);
    expect(
      ids(runs.find({ status: "waiting", workflow: "refund", since: new Date(Date.UTC(2026, 11, 1, 9, 2)) })),
    ).toEqual(["r4"]);
    expect(runs.count({ workflow: "claims" })).toBe(3);
  });

  // Statements are cached by their SQL, which holds no value: a cached statement must still
  // answer for the values asked now, not for the first ones it ran with.
  it("answers each call for its own filter values, not the cached statement's first", () => {
    expect(ids(runs.find({ status: "waiting" }))).toEqual(["r4", "r1"]);
    expect(ids(runs.find({ status: "completed" }))).toEqual(["r5", "r3", "r2", "r0"]);
    expect(runs.count({ workflow: "refund" })).toBe(3);
    expect(runs.count({ workflow: "claims" })).toBe(3);
    runs.setStatus("r5", "failed");
    expect(ids(runs.find({ status: "completed" }, { limit: 1 }))).toEqual(["r3"]);
  });

  it("keeps list(status) oldest first for its callers", () => {
    expect(ids(runs.list())).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
    expect(ids(runs.list("waiting"))).toEqual(["r1", "r4"]);
  });

  it.each([
    [{ limit: 0 }, "limit"],
    [{ limit: 2.5 }, "limit"],
    [{ limit: 2, offset: -1 }, "offset"],
  ])("refuses the page %j with CONFIG_INVALID naming its %s", (page, what) => {
    expect(() => runs.find({}, page)).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining(what) }),
    );
  });

  it("refuses an invalid since date", () => {
    expect(() => runs.find({ since: new Date("nope") })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("finds runs by a thread id prefix, only those with it", () => {
    runs.create({ threadId: "abc-1", workflow: "refund", source: "sample:x", principal });
    runs.create({ threadId: "abd-2", workflow: "refund", source: "sample:x", principal });
    expect(ids(runs.withPrefix("abc"))).toEqual(["abc-1"]);
    expect(ids(runs.withPrefix("ab"))).toEqual(["abc-1", "abd-2"]);
    expect(ids(runs.withPrefix("r", 10))).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
    expect(runs.withPrefix("zz")).toEqual([]);
  });
});
