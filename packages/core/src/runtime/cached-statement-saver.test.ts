import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { cachedStatementSaver, cachingConnection } from "./cached-statement-saver.js";

describe("cachedStatementSaver", () => {
  it("prepares the checkpoint insert once across puts, and reads back what each put wrote", async () => {
    const saver = cachedStatementSaver(":memory:");
    const db = (saver as unknown as { db: Database.Database }).db;
    const config = { configurable: { thread_id: "t", checkpoint_ns: "" } };
    const first = { ...emptyCheckpoint(), id: "1" };
    const written = await saver.put(config, first, { source: "input", step: -1, parents: {} });
    await saver.putWrites(written, [["n", 1]], "task-1");
    const prepare = vi.spyOn(Database.prototype, "prepare");
    for (let i = 2; i <= 5; i++) {
      const checkpoint = { ...emptyCheckpoint(), id: String(i), channel_values: { n: i } };
      const written = await saver.put(config, checkpoint, { source: "loop", step: i, parents: {} });
      await saver.putWrites(written, [["n", i]], `task-${i}`);
    }
    expect(prepare).not.toHaveBeenCalled();
    prepare.mockRestore();
    const latest = await saver.getTuple(config);
    expect(latest?.checkpoint.id).toBe("5");
    expect(latest?.checkpoint.channel_values).toEqual({ n: 5 });
    expect(latest?.pendingWrites).toEqual([["task-5", "n", 5]]);
    const history = [];
    for await (const tuple of saver.list(config)) history.push(tuple.checkpoint.id);
    expect(history).toEqual(["5", "4", "3", "2", "1"]);
    db.close();
  });

  it("never hands out a statement that is still being iterated", () => {
    const db = cachingConnection(new Database(":memory:"));
    db.exec("CREATE TABLE n (v INTEGER); INSERT INTO n VALUES (1), (2), (3)");
    const sql = "SELECT v FROM n ORDER BY v";
    const outer = db.prepare(sql);
    expect(db.prepare(sql)).toBe(outer);
    const seen: number[][] = [];
    for (const row of outer.iterate() as Iterable<{ v: number }>) {
      const inner = db.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push((inner.all() as { v: number }[]).map((r) => r.v).concat(row.v));
    }
    expect(seen).toEqual([
      [1, 2, 3, 1],
      [1, 2, 3, 2],
      [1, 2, 3, 3],
    ]);
    // Once the iteration ended, the cached statement is handed out again.
    expect(db.prepare(sql)).toBe(outer);
    db.close();
  });
});
