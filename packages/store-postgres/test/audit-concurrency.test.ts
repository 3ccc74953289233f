import { randomBytes } from "node:crypto";
import { AuditKey } from "@governor/observability";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAuditSchema } from "../src/audit/audit-schema.js";
import { PgAuditJournal } from "../src/audit/pg-audit-journal.js";
import { appendFromProcesses } from "./audit-writers.js";

let server: PostgresServer;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
  await server?.stop();
});

async function freshPool(): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: await server.createDatabase() });
  pool.on("error", () => undefined);
  pools.push(pool);
  await applyAuditSchema(pool);
  return pool;
}

describe("PgAuditJournal: writers in several processes", () => {
  // Four OS processes, each with its own pool, start together and append 250 records each.
  it("keeps one chain: seq dense 1..1000, every record once, verify intact; then names an edited record", async () => {
    const pool = await freshPool();
    const auditKey = randomBytes(32).toString("base64");
    const results = await appendFromProcesses(pool.options.connectionString as string, {
      writers: 4,
      records: 250,
      lanes: 4,
      auditKey,
      timeoutMs: 150_000,
    });

    const seqs = results.flatMap((result) => result.seqs).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const result of results) expect(result.seqs.filter(Number.isInteger)).toHaveLength(250);

    const journal = await PgAuditJournal.open(pool, { key: new AuditKey(Buffer.from(auditKey, "utf8")) });
    const records = await journal.list();
    expect(records.map((record) => record.seq)).toEqual(seqs);
    // Each writer's records are where its appends were told they are.
    for (const result of results)
      for (const [i, seq] of result.seqs.entries())
        expect(records[seq - 1]?.data).toMatchObject({ writer: result.writer, i });
    expect(await journal.verify()).toMatchObject({ ok: true, records: 1000, anchored: 1000 });

    await pool.query(`UPDATE audit_records SET data = replace(data, '"i":', '"i":1') WHERE seq = 613`);
    expect(await journal.verify()).toMatchObject({
      ok: false,
      brokenAt: 613,
      problem: "changed",
      records: 613,
    });
  }, 240_000);
});
