import { GovernorError } from "@governor/core";
import { paint, type Terminal } from "../terminal.js";

/**
 * `governor migrate`: applies the PostgreSQL schema's missing migrations (Governor's tables and
 * LangGraph's checkpointer's), under an advisory lock so several processes may run it at once.
 * Workers and commands also migrate on start; this is for deploys that migrate first and for
 * a read-only role that may not. The embedded SQLite store needs no step: it upgrades itself on open.
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID / STORE_UNREACHABLE / STORE_SCHEMA_MISMATCH from
 *   the backend; STORE_BACKEND_MISSING when @governor/store-postgres is not installed.
 */
export async function migrateCommand(terminal: Terminal, options: { databaseUrl?: string }): Promise<void> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) {
    terminal.out(
      "DATABASE_URL is not set: the embedded SQLite store upgrades its own tables when it is opened; nothing to do",
    );
    return;
  }
  const backend = await loadPostgresBackend();
  const pool = backend.openPool(url);
  try {
    const result = await backend.migrate(pool);
    const where = backend.redactUrl(url);
    if (!result.applied.length) {
      terminal.out(
        paint(terminal, "green", `✓ ${where} is at schema version ${result.version}: nothing to apply`),
      );
      return;
    }
    for (const step of result.applied) terminal.out(`  applied ${step.version} ${step.name}`);
    terminal.out(paint(terminal, "green", `✓ ${where} migrated to schema version ${result.version}`));
  } finally {
    await pool.end();
  }
}

async function loadPostgresBackend() {
  try {
    return await import("@governor/store-postgres");
  } catch (error) {
    throw new GovernorError(
      "STORE_BACKEND_MISSING",
      `governor migrate needs @governor/store-postgres (${error instanceof Error ? error.message : String(error)}): npm install @governor/store-postgres`,
      { package: "@governor/store-postgres" },
      { cause: error },
    );
  }
}
