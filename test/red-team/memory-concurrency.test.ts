import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type MemoryChild, memoryDir, startChild } from "./support/memory-child.js";
import { openMemoryFiles, scope, writer } from "./support/memory-files.js";

/**
 * Writers racing on the same keys: real processes (and two connections in this one) write
 * ten shared keys at once, with UPDATEs at equal authority and retractions. Whatever the
 * interleaving: never two active records for a key, every key's records form one chain (each
 * closed record superseded by the next one written, none lost or skipped), every applied write
 * has its audit record, and the audit chain verifies.
 */

const dirs: string[] = [];
const children: MemoryChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.process.kill("SIGKILL");
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
  seq: number;
  id: string;
  entity: string;
  value: string;
  status: string;
  superseded_by: string | null;
}

/** Checks the facts and the audit of `dir` after the race; returns the number of records. */
function expectOneChainPerKey(dir: string, batches: number) {
  const files = openMemoryFiles(dir);
  try {
    const rows = files.db
      .prepare("SELECT seq, id, entity, value, status, superseded_by FROM memory_facts ORDER BY seq")
      .all() as Row[];
    const byKey = new Map<string, Row[]>();
    for (const row of rows) byKey.set(row.entity, [...(byKey.get(row.entity) ?? []), row]);
    expect([...byKey.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, k) => `shared-${k}`).sort());
    for (const [entity, chain] of byKey) {
      expect(chain.filter((row) => row.status === "active").length, entity).toBeLessThanOrEqual(1);
      chain.forEach((row, i) => {
        const next = chain[i + 1];
        if (!next) {
          expect(["active", "deleted"], `${entity}: the last record is current or retracted`).toContain(
            row.status,
          );
          return;
        }
        if (row.status === "superseded") expect(row.superseded_by, `${entity} #${i}`).toBe(next.id);
        else
          expect(row.status, `${entity} #${i}: only a retraction ends a chain link without a successor`).toBe(
            "deleted",
          );
      });
    }
    // Every applied write is in exactly one audit record, and every batch has one.
    const audited = files.audit
      .list()
      .filter((record) => record.kind === "memory")
      .flatMap((record) => (record.data.events as { recordId?: string; event: string }[]) ?? []);
    expect(files.audit.list().filter((record) => record.kind === "memory")).toHaveLength(batches);
    const written = new Set(
      audited.filter((e) => e.event === "ADD" || e.event === "UPDATE").map((e) => e.recordId),
    );
    expect(written.size).toBe(rows.length);
    for (const row of rows) expect(written.has(row.id), row.id).toBe(true);
    expect(files.audit.verify()).toMatchObject({ ok: true });
    expect(files.store.current(writer, scope).length).toBeLessThanOrEqual(10);
    return rows.length;
  } finally {
    files.close();
  }
}

function prepared(): string {
  const dir = memoryDir();
  dirs.push(dir);
  // Creates the tables, the audit key and the head before the writers start, so they do not race to make them.
  openMemoryFiles(dir).close();
  return dir;
}

describe("memory concurrency: writers racing on one key", () => {
  it("MR-1 two processes writing the same ten keys at once (80 batches each) never leave two active records", async () => {
    const dir = prepared();
    const rounds = 80;
    const racers = ["alpha", "beta"].map((tag) => startChild(dir, "race", `${tag}:${rounds}`));
    children.push(...racers);
    await Promise.all(racers.map((child) => child.line((line) => line === "ready")));
    for (const child of racers) child.process.stdin?.write("go\n");
    await Promise.all(racers.map((child) => child.line((line) => line === "done")));
    const ends = await Promise.all(racers.map((child) => child.exited));
    for (const [i, end] of ends.entries()) expect(end.code, racers[i]?.stderr()).toBe(0);
    expect(expectOneChainPerKey(dir, 2 * rounds)).toBeGreaterThan(rounds);
    // The writers really interleaved: the journal switches between them more than once.
    const files = openMemoryFiles(dir);
    const order = files.audit.list().map((record) => record.threadId);
    files.close();
    expect(order.filter((thread, i) => i > 0 && thread !== order[i - 1]).length).toBeGreaterThan(1);
  }, 240_000);

  it("MR-2 three processes racing, one of them killed mid-race: the survivors' writes and the chain still hold", async () => {
    const dir = prepared();
    const rounds = 60;
    const racers = ["alpha", "beta", "gamma"].map((tag) => startChild(dir, "race", `${tag}:${rounds}`));
    children.push(...racers);
    await Promise.all(racers.map((child) => child.line((line) => line === "ready")));
    for (const child of racers) child.process.stdin?.write("go\n");
    racers[2]?.process.kill("SIGKILL");
    await Promise.all(racers.slice(0, 2).map((child) => child.line((line) => line === "done")));
    await Promise.all(racers.map((child) => child.exited));
    const files = openMemoryFiles(dir);
    const gammaBatches = files.audit.list().filter((record) => record.threadId === "race-gamma").length;
    files.close();
    expectOneChainPerKey(dir, 2 * rounds + gammaBatches);
  }, 240_000);

  it("MR-3 two connections in one process, interleaving batches on the same keys, keep one chain", () => {
    const dir = prepared();
    const a = openMemoryFiles(dir);
    const b = openMemoryFiles(dir);
    try {
      for (let round = 0; round < 30; round++) {
        for (const [files, tag] of [
          [a, "a"],
          [b, "b"],
        ] as const) {
          files.store.writeNow(
            { principal: writer },
            Array.from({ length: 10 }, (_, k) => ({
              scope,
              entity: `shared-${k}`,
              attribute: "owner",
              value: `${tag}-${round}`,
              kind: "mandate" as const,
              authority: { by: tag, weight: 50 },
              source: { type: "manual" as const },
            })),
          );
        }
      }
    } finally {
      a.close();
      b.close();
    }
    expect(expectOneChainPerKey(dir, 60)).toBe(600);
  });
});
