import { AuditKey, type AuditRecord } from "@governor/observability";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAuditSchema } from "../src/audit/audit-schema.js";
import { PgAuditJournal } from "../src/audit/pg-audit-journal.js";

const key = new AuditKey(Buffer.alloc(32, 5));
let server: PostgresServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: await server.createDatabase() });
  // A server that goes away kills the pool's idle clients: the pool reports it, and replaces them.
  pool.on("error", () => undefined);
  await applyAuditSchema(pool);
});

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe("PgAuditJournal: the database goes away mid-append", () => {
  it("rejects appends with STORE_UNREACHABLE, keeps every one it confirmed, and leaves nothing half-written", async () => {
    const journal = await PgAuditJournal.open(pool, { key });
    const confirmed: AuditRecord[] = [];
    const failures: unknown[] = [];
    let killed: Promise<void> | undefined;
    // Four lanes append until the database is gone; it is killed while appends are in flight.
    const lane = async (lane: number) => {
      for (let i = 0; ; i++) {
        try {
          const record = await journal.append({
            threadId: `t${lane}`,
            kind: "execution",
            outcome: "executed",
            data: { lane, i, callId: `c${lane}-${i}` },
            dedupeKey: `${lane}-${i}`,
          });
          confirmed.push(record);
          if (confirmed.length === 40) killed = server.kill();
        } catch (error) {
          failures.push(error);
          return;
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(lane));
    await killed;

    expect(failures).toHaveLength(4);
    for (const failure of failures) expect(failure).toMatchObject({ code: "STORE_UNREACHABLE" });
    await expect(journal.list()).rejects.toMatchObject({ code: "STORE_UNREACHABLE" });

    await server.restart();
    // The same journal and pool work again, and the chain holds: no record was half-written.
    expect(await journal.verify()).toMatchObject({ ok: true });
    const records = await journal.list();
    for (const record of confirmed) expect(records[record.seq - 1]).toEqual(record);
    // An append whose commit was under way when the server died may have been kept, never more.
    expect(records.length).toBeGreaterThanOrEqual(confirmed.length);
    expect(records.length).toBeLessThanOrEqual(confirmed.length + failures.length);

    const after = await journal.append({ threadId: "t", kind: "run", outcome: "resumed" });
    expect(after.seq).toBe(records.length + 1);
    expect(await journal.verify()).toMatchObject({
      ok: true,
      records: records.length + 1,
      anchored: records.length + 1,
    });
  }, 180_000);
});
