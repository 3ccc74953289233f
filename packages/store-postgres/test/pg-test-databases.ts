import { type PostgresServer, startPostgres } from "@governor/testing-services";
import type pg from "pg";
import { openPool } from "../src/connection.js";
import { migrate } from "../src/migrate.js";

/**
 * One PostgreSQL server for a test file, and a fresh migrated database per test: each is a
 * copy of a template migrated once (CREATE DATABASE … TEMPLATE, a file copy on the server),
 * so a test starts from empty tables without paying for the migrations again.
 */
export class PgTestDatabases {
  server!: PostgresServer;
  #admin!: pg.Pool;
  #made = 0;

  async start(): Promise<void> {
    this.server = await startPostgres();
    const template = openPool(await this.server.createDatabase("governor_template"));
    try {
      await migrate(template);
    } finally {
      await template.end();
    }
    this.#admin = openPool(this.server.url);
  }

  /** A new database with the current schema and no rows; its URL. */
  async fresh(): Promise<string> {
    const name = `governor_t${++this.#made}`;
    await this.#admin.query(`CREATE DATABASE ${name} TEMPLATE governor_template`);
    return this.urlOf(name);
  }

  /** A new database with nothing in it (not even the schema); its URL. */
  async empty(): Promise<string> {
    const name = `governor_e${++this.#made}`;
    await this.#admin.query(`CREATE DATABASE ${name}`);
    return this.urlOf(name);
  }

  async drop(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    await this.#admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  urlOf(database: string): string {
    const url = new URL(this.server.url);
    url.pathname = `/${database}`;
    return url.toString();
  }

  async stop(): Promise<void> {
    await this.#admin?.end().catch(() => undefined);
    await this.server?.stop();
  }
}
