import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditKey } from "@governor/observability";
import { freePort, type PostgresServer, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendBegin } from "../src/audit/append-batch.js";
import { applyAuditSchema } from "../src/audit/audit-schema.js";
import { PgAuditJournal } from "../src/audit/pg-audit-journal.js";

const key = new AuditKey(Buffer.alloc(32, 3));
let server: PostgresServer;
const pools: pg.Pool[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

async function freshPool(options: { schema?: boolean } = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: await server.createDatabase() });
  pool.on("error", () => undefined);
  pools.push(pool);
  if (options.schema !== false) await applyAuditSchema(pool);
  return pool;
}

describe("PgAuditJournal: opening", () => {
  it("refuses a database without the audit tables (STORE_SCHEMA_MISMATCH)", async () => {
    const pool = await freshPool({ schema: false });
    await expect(PgAuditJournal.open(pool, { key })).rejects.toMatchObject({ code: "STORE_SCHEMA_MISMATCH" });
  });

  it("refuses a database nobody answers for (STORE_UNREACHABLE)", async () => {
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    pools.push(pool);
    await expect(PgAuditJournal.open(pool, { key })).rejects.toMatchObject({ code: "STORE_UNREACHABLE" });
  });

  it("refuses to open without an audit key, rather than seal records no other worker can check", async () => {
    const pool = await freshPool();
    await expect(PgAuditJournal.open(pool, { env: {} })).rejects.toMatchObject({
      code: "STORE_CONFIG_INVALID",
    });
    await expect(PgAuditJournal.open(pool, { env: { GOVERNOR_AUDIT_KEY: "short" } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("refuses GOVERNOR_AUDIT_ANCHOR rather than ignore it: its head is in the database", async () => {
    const pool = await freshPool();
    await expect(
      PgAuditJournal.open(pool, { key, env: { GOVERNOR_AUDIT_ANCHOR: "/worm/audit.head" } }),
    ).rejects.toMatchObject({ code: "STORE_CONFIG_INVALID", message: expect.stringContaining("audit_head") });
  });

  it("seals with GOVERNOR_AUDIT_KEY, or a development key file kept in the store directory", async () => {
    const env = { GOVERNOR_AUDIT_KEY: "k".repeat(40) };
    const pool = await freshPool();
    const first = await PgAuditJournal.open(pool, { env });
    await first.append({ threadId: "t", kind: "run", outcome: "started" });
    const second = await PgAuditJournal.open(pool, { env });
    expect(second.keyId).toBe(first.keyId);
    expect(await second.verify()).toMatchObject({ ok: true, records: 1, keyId: first.keyId });

    const dir = mkdtempSync(join(tmpdir(), "governor-pg-audit-"));
    dirs.push(dir);
    const other = await freshPool();
    const a = await PgAuditJournal.open(other, { dir, env: {} });
    await a.append({ threadId: "t", kind: "run", outcome: "started" });
    const b = await PgAuditJournal.open(other, { dir, env: {} });
    expect(await b.verify()).toMatchObject({ ok: true, records: 1, keyId: a.keyId });
  });
});

describe("PgAuditJournal: what PostgreSQL cannot store as written", () => {
  it("refuses an entry with a NUL or a lone surrogate alone; appends made with it are kept", async () => {
    const journal = await PgAuditJournal.open(await freshPool(), { key });
    const [before, nul, surrogate, after, inData] = await Promise.allSettled([
      journal.append({ threadId: "t", kind: "policy", outcome: "allow" }),
      journal.append({ threadId: "t\u0000", kind: "policy", outcome: "allow" }),
      journal.append({ threadId: "t", kind: "policy", outcome: "allow", node: "\ud800" }),
      journal.append({ threadId: "t", kind: "policy", outcome: "deny" }),
      journal.append({ threadId: "t", kind: "policy", outcome: "deny", data: { text: "a\u0000b\ud800" } }),
    ]);
    expect(nul).toMatchObject({ status: "rejected", reason: { code: "VALUE_UNSERIALIZABLE" } });
    expect(surrogate).toMatchObject({ status: "rejected", reason: { code: "VALUE_UNSERIALIZABLE" } });
    expect([before, after, inData].map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    // In data both are escaped by JSON, so the record reads back exactly as it was sealed.
    expect((await journal.list("t")).at(-1)?.data).toEqual({ text: "a\u0000b\ud800" });
    expect(await journal.verify()).toMatchObject({ ok: true, records: 3 });
  });
});

describe("PgAuditJournal: the head in the database", () => {
  it("reports a deleted head and keeps reporting it: appends never re-create it over records", async () => {
    const pool = await freshPool();
    const journal = await PgAuditJournal.open(pool, { key });
    for (let i = 0; i < 5; i++) await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    await pool.query("DELETE FROM audit_head");
    expect(await journal.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: "head" });
    await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    expect(await journal.verify()).toMatchObject({ ok: false, brokenAt: 6, problem: "head" });
  });

  it("reports a head edited without the key", async () => {
    const pool = await freshPool();
    const journal = await PgAuditJournal.open(pool, { key });
    for (let i = 0; i < 5; i++) await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    await pool.query("UPDATE audit_head SET records = 3");
    expect(await journal.verify()).toMatchObject({ ok: false, problem: "head" });
  });

  it("extends an older head put back (the records it names still hold), so nothing stays unanchored", async () => {
    const pool = await freshPool();
    const journal = await PgAuditJournal.open(pool, { key });
    for (let i = 0; i < 3; i++) await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    const { rows } = await pool.query("SELECT * FROM audit_head");
    for (let i = 0; i < 3; i++) await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    const old = rows[0];
    await pool.query("UPDATE audit_head SET records = $1, hash = $2, at = $3, seal = $4", [
      old.records,
      old.hash,
      old.at,
      old.seal,
    ]);
    expect(await journal.verify()).toMatchObject({ ok: true, records: 6, anchored: 3 });
    await journal.append({ threadId: "t", kind: "policy", outcome: "allow" });
    expect(await journal.verify()).toMatchObject({ ok: true, records: 7, anchored: 7 });
  });
});

describe("PgAuditJournal: a writer frozen while it holds the chain", () => {
  it("cannot stall the others: the server ends its session, and their appends go on", async () => {
    const pool = await freshPool();
    const journal = await PgAuditJournal.open(pool, { key, lockHolderTimeoutMs: 1000 });
    await journal.append({ threadId: "t", kind: "run", outcome: "started" });
    // Another worker's connection begins an append exactly as the journal does, then says nothing more.
    const frozen = new pg.Client({ connectionString: pool.options.connectionString });
    frozen.on("error", () => undefined);
    await frozen.connect();
    await frozen.query(appendBegin(1000));
    const record = await journal.append({ threadId: "t", kind: "run", outcome: "resumed" });
    expect(record.seq).toBe(2);
    await expect(frozen.query("SELECT 1")).rejects.toBeInstanceOf(Error);
    await frozen.end().catch(() => undefined);
    expect(await journal.verify()).toMatchObject({ ok: true, records: 2, anchored: 2 });
  });

  it("refuses a timeout, page or batch size that is not a positive integer", async () => {
    const pool = await freshPool();
    for (const options of [{ lockHolderTimeoutMs: 0 }, { verifyPageSize: 1.5 }, { maxBatch: -1 }])
      expect(() => new PgAuditJournal(pool, { key, ...options })).toThrow(
        expect.objectContaining({ code: "STORE_CONFIG_INVALID" }),
      );
  });
});

describe("PgAuditJournal: verify reads in pages", () => {
  it("gives the same verdicts whatever the page size", async () => {
    const pool = await freshPool();
    const journal = await PgAuditJournal.open(pool, { key, verifyPageSize: 7 });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        journal.append({ threadId: `t${i % 3}`, kind: "policy", outcome: "allow" }),
      ),
    );
    expect(await journal.verify()).toMatchObject({ ok: true, records: 50, anchored: 50 });
    await pool.query("UPDATE audit_records SET outcome = 'deny' WHERE seq = 36");
    expect(await journal.verify()).toMatchObject({ ok: false, brokenAt: 36, problem: "changed" });
    await pool.query("DELETE FROM audit_records WHERE seq > 35");
    expect(await journal.verify()).toMatchObject({
      ok: false,
      brokenAt: 36,
      problem: "truncated",
      records: 35,
    });
  });
});
