import { GovernorError } from "@governor/errors";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations/index.js";
import { StoreDatabase } from "./store-database.js";

/** What `migrate` did: the migrations it applied (none when the schema was current) and the version now. */
export interface MigrationResult {
  readonly applied: readonly { readonly version: number; readonly name: string }[];
  readonly version: number;
}

// Every Governor process migrating the same database takes this transaction-scoped lock
// first, so two workers starting at once apply each migration once (the second waits, then
// finds nothing to do). A 64-bit key of its own ("Governor" in ASCII).
const MIGRATION_LOCK = "5147415926478016370";

const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS governor_schema (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/**
 * Brings the database's schema up to this code's version, in one transaction: the
 * migrations it lacks, then LangGraph's checkpoint tables (PostgresSaver's own migrations).
 * Either all of it is applied or none.
 *
 * @throws {GovernorError} STORE_SCHEMA_MISMATCH when the database was written by a newer
 *   Governor (nothing is changed then); STORE_UNREACHABLE when it cannot be reached.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const db = new StoreDatabase(pool);
  const known = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
    await client.query(SCHEMA_TABLE);
    const current = await versionOf(client);
    if (current > known) throw newerSchema(db.where, current, known);
    const applied: { version: number; name: string }[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.up);
      await client.query("INSERT INTO governor_schema (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      applied.push({ version: migration.version, name: migration.name });
    }
    await new PostgresSaver(inTransaction(client)).setup();
    return { applied, version: Math.max(current, known) };
  });
}

/**
 * Checks that the database's schema is the one this code knows, without changing it.
 * Answers the version found. LangGraph's checkpoint tables are not checked: `migrate` sets
 * them up with every Governor version, so a database at this version has them.
 *
 * @throws {GovernorError} STORE_SCHEMA_MISMATCH when the database is newer than this code,
 *   or older (run `governor migrate`, or open with autoMigrate).
 */
export async function checkSchema(pool: pg.Pool, known: number = SCHEMA_VERSION): Promise<number> {
  const db = new StoreDatabase(pool);
  const exists = await db.query<{ table: string | null }>("SELECT to_regclass('governor_schema') AS table");
  const current = exists.rows[0]?.table
    ? Number(
        (await db.query<{ version: number | null }>("SELECT max(version) AS version FROM governor_schema"))
          .rows[0]?.version ?? 0,
      )
    : 0;
  if (current > known) throw newerSchema(db.where, current, known);
  if (current < known)
    throw new GovernorError(
      "STORE_SCHEMA_MISMATCH",
      `The database at ${db.where} has Governor schema version ${current}; this Governor needs ${known}: run \`governor migrate\` (or open the store with autoMigrate)`,
      { where: db.where, version: current, known },
    );
  return current;
}

/**
 * A stand-in pool for PostgresSaver.setup() that hands it our migrating connection: its
 * migrations then run under our lock and in our transaction (by itself it takes a connection
 * of its own, without a lock, and two workers starting at once race on its version table).
 * Each of its statements runs in a savepoint, because setup() expects to survive one failing
 * (it reads its version table before creating it), which would otherwise abort our transaction.
 */
function inTransaction(client: pg.PoolClient): pg.Pool {
  const query = async (text: string, values?: unknown[]) => {
    await client.query("SAVEPOINT checkpointer_setup");
    try {
      const result = await client.query(text, values);
      await client.query("RELEASE SAVEPOINT checkpointer_setup");
      return result;
    } catch (error) {
      await client.query("ROLLBACK TO SAVEPOINT checkpointer_setup");
      throw error;
    }
  };
  return { connect: async () => ({ query, release: () => undefined }) } as unknown as pg.Pool;
}

async function versionOf(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM governor_schema",
  );
  return Number(result.rows[0]?.version ?? 0);
}

function newerSchema(where: string, version: number, known: number): GovernorError {
  return new GovernorError(
    "STORE_SCHEMA_MISMATCH",
    `The database at ${where} was written by a newer Governor, schema version ${version}; this one knows up to ${known}: upgrade Governor before using this database`,
    { where, version, known },
  );
}
