import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPool } from "../src/connection.js";
import { checkSchema, migrate } from "../src/migrate.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../src/migrations/index.js";
import { openPostgresStore } from "../src/open-postgres-store.js";
import { failureOf } from "./failure-of.js";
import { PgTestDatabases } from "./pg-test-databases.js";

const env = { GOVERNOR_AUDIT_KEY: "k".repeat(40) };
const databases = new PgTestDatabases();
beforeAll(() => databases.start());
afterAll(() => databases.stop());

let pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  pools = [];
});
function poolFor(url: string, max?: number): pg.Pool {
  const pool = openPool(url, max === undefined ? {} : { max });
  pools.push(pool);
  return pool;
}

async function tables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

describe("migrations", () => {
  it("applies every migration to an empty database once, with LangGraph's checkpoint tables", async () => {
    const pool = poolFor(await databases.empty());
    const first = await migrate(pool);
    expect(first).toEqual({
      applied: MIGRATIONS.map(({ version, name }) => ({ version, name })),
      version: SCHEMA_VERSION,
    });
    expect(await tables(pool)).toEqual(
      expect.arrayContaining([
        "governor_schema",
        "effects",
        "approval_uses",
        "kill_switches",
        "revoked_delegations",
        "spend_ledger",
        "runs",
        "run_leases",
        "audit_records",
        "audit_head",
        "checkpoints",
        "checkpoint_blobs",
        "checkpoint_writes",
        "checkpoint_migrations",
      ]),
    );
    expect(await migrate(pool)).toEqual({ applied: [], version: SCHEMA_VERSION });
    expect(await checkSchema(pool)).toBe(SCHEMA_VERSION);
    const { rows } = await pool.query("SELECT version, name FROM governor_schema ORDER BY version");
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it("applies each migration once when several processes migrate at the same moment", async () => {
    const url = await databases.empty();
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(poolFor(url))));
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 0, MIGRATIONS.length]);
    const { rows } = await poolFor(url).query("SELECT count(*)::int AS n FROM checkpoint_migrations");
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("refuses a database written by a newer Governor, and writes nothing", async () => {
    const pool = poolFor(await databases.fresh());
    await pool.query("INSERT INTO governor_schema (version, name) VALUES ($1, 'from the future')", [
      SCHEMA_VERSION + 5,
    ]);
    const before = await tables(pool);
    // One at a time: a second promise made up front would reject while the first is awaited,
    // unhandled (vitest then fails the whole run on a loaded machine, where migrate is slow).
    for (const attempt of [() => migrate(pool), () => checkSchema(pool)]) {
      const error = await failureOf(attempt());
      expect(error.code).toBe("STORE_SCHEMA_MISMATCH");
      expect(error.message).toContain(`written by a newer Governor, schema version ${SCHEMA_VERSION + 5}`);
      expect(error.message).toContain(`this one knows up to ${SCHEMA_VERSION}`);
    }
    const error = await failureOf(openPostgresStore({ url: databases.urlOf(dbName(pool)), env }));
    expect(error.code).toBe("STORE_SCHEMA_MISMATCH");
    expect(await tables(pool)).toEqual(before);
    const { rows } = await pool.query("SELECT max(version)::int AS v FROM governor_schema");
    expect(rows[0].v).toBe(SCHEMA_VERSION + 5);
  });

  it("writes nothing when a migration fails part way", async () => {
    const pool = poolFor(await databases.empty());
    const broken = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: "broken",
        up: "CREATE TABLE half (x int); SELECT no_such_function()",
      },
    ];
    expect((await failureOf(migrate(pool, broken))).message).toContain("no_such_function");
    expect(await tables(pool)).toEqual([]);
  });

  it("refuses an older schema when told not to migrate, and migrates it by default", async () => {
    const url = await databases.empty();
    const pool = poolFor(url);
    await migrate(pool, MIGRATIONS.slice(0, 1));
    const error = await failureOf(openPostgresStore({ url, env, autoMigrate: false }));
    expect(error.code).toBe("STORE_SCHEMA_MISMATCH");
    expect(error.message).toContain(`schema version 1; this Governor needs ${SCHEMA_VERSION}`);
    expect(error.message).toContain("governor migrate");
    const store = await openPostgresStore({ url, env });
    await store.close();
    expect(await checkSchema(pool)).toBe(SCHEMA_VERSION);
  });

  it("refuses a database with no schema at all when told not to migrate", async () => {
    const url = await databases.empty();
    const error = await failureOf(openPostgresStore({ url, env, autoMigrate: false }));
    expect(error.code).toBe("STORE_SCHEMA_MISMATCH");
    expect(error.message).toContain("schema version 0");
    expect(await tables(poolFor(url))).toEqual([]);
  });
});

function dbName(pool: pg.Pool): string {
  return new URL(pool.options.connectionString as string).pathname.slice(1);
}
