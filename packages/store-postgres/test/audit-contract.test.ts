import { describeAuditJournalContract } from "@governor/store-contracts";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { applyAuditSchema } from "../src/audit/audit-schema.js";
import { PgAuditJournal } from "../src/audit/pg-audit-journal.js";

let server: PostgresServer;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
  await server?.stop();
});

// Each journal in a database of its own; the tampering is SQL on the same database, as
// someone with write access to it (and not the audit key) would run.
describeAuditJournalContract("PgAuditJournal", async (key) => {
  const pool = new pg.Pool({ connectionString: await server.createDatabase() });
  pools.push(pool);
  await applyAuditSchema(pool);
  const journal = await PgAuditJournal.open(pool, { key });
  return {
    journal,
    reopen: (withKey) => PgAuditJournal.open(pool, { key: withKey }),
    tamper: {
      async setColumn(seq, column, value) {
        await pool.query(`UPDATE audit_records SET ${column} = $1 WHERE seq = $2`, [value, seq]);
      },
      async deleteRecords(from, to) {
        await pool.query("DELETE FROM audit_records WHERE seq BETWEEN $1 AND $2", [from, to]);
      },
      async swapRecords(a, b) {
        // Three statements, as the primary key is checked row by row; integers only, so inlined.
        await pool.query(`BEGIN;
          UPDATE audit_records SET seq = -1 WHERE seq = ${Number(a)};
          UPDATE audit_records SET seq = ${Number(a)} WHERE seq = ${Number(b)};
          UPDATE audit_records SET seq = ${Number(b)} WHERE seq = -1;
          COMMIT;`);
      },
    },
    close: () => journal.close(),
  };
});
