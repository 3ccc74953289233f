import { existsSync } from "node:fs";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore } from "./support/governor-bin.js";

/**
 * The CLI on PostgreSQL: DATABASE_URL moves every store there, with no code change. A real
 * server, started for this file; each command a separate process, as users run them.
 */
describe("governor with DATABASE_URL (PostgreSQL)", () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const query = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const threadOf = (out: string) => /thread ([0-9a-f-]{36})/.exec(out)?.[1] ?? "";

  it(
    "migrates, runs the $1,200 refund to its approval, approves it from another process exactly once, and verifies the chain, all in PostgreSQL",
    async () => {
      const url = await server.createDatabase();
      const { governor, dir, dispose } = governorOnTempStore({ DATABASE_URL: url });
      try {
        const migrated = governor("migrate");
        expect(migrated.code, migrated.err).toBe(0);
        expect(migrated.out).toMatch(/migrated to schema version \d+/);
        expect(governor("migrate").out).toContain("nothing to apply");

        const run = governor("run", "refund", "--case", "large-refund");
        expect(run.code, run.err).toBe(0);
        expect(run.out).toContain("waiting for approval");
        const thread = threadOf(run.out);
        expect(thread).not.toBe("");

        const pending = governor("pending", "--json");
        expect(JSON.parse(pending.out).map((entry: { threadId: string }) => entry.threadId)).toEqual([
          thread,
        ]);

        const approved = governor(
          "approve",
          thread,
          "--approver",
          "supervisor:sam",
          "--reason",
          "courier lost it",
        );
        expect(approved.code, approved.err).toBe(0);
        expect(approved.out).toContain("approved by supervisor:sam");
        // Approving again changes nothing: the run is no longer waiting.
        expect(governor("approve", thread, "--approver", "supervisor:sam").code).not.toBe(0);

        const verify = governor("audit", "verify");
        expect(verify.code, verify.err).toBe(0);
        expect(verify.out).toContain("audit chain intact");

        const status = JSON.parse(governor("status", "--json").out);
        expect(status.backend).toBe("postgres");
        expect(status.runs).toEqual({ completed: 1 });

        const effects = await query(url, "SELECT tool, status FROM effects");
        expect(effects).toEqual([{ tool: "issue_refund", status: "committed" }]);
        const approvals = await query(
          url,
          "SELECT outcome FROM audit_records WHERE kind = 'approval' ORDER BY seq",
        );
        expect(approvals.map((row) => row.outcome)).toContain("approved");
        // Nothing went to the embedded store: the directory holds development keys only.
        expect(existsSync(join(dir, "governor.db"))).toBe(false);
        expect(existsSync(join(dir, "checkpoints.db"))).toBe(false);
      } finally {
        dispose();
      }
    },
    CLI_TEST_MS,
  );

  it(
    "names DATABASE_URL when it is malformed or unreachable, without echoing the password, and does not hang",
    async () => {
      const stores: (() => void)[] = [];
      const withUrl = (url: string) => {
        const store = governorOnTempStore({ DATABASE_URL: url });
        stores.push(store.dispose);
        return store.governor;
      };
      try {
        for (const bad of [
          "postgres//nohost",
          "mysql://u:secret-pw@127.0.0.1/db",
          "postgres://u:secret-pw@127.0.0.1:99999/db",
        ]) {
          const refused = withUrl(bad)("status");
          expect(refused.code, bad).toBe(1);
          expect(refused.err, bad).toContain("[STORE_CONFIG_INVALID]");
          expect(refused.err, bad).toContain("DATABASE_URL");
          expect(refused.err, bad).not.toContain("secret-pw");
        }
        // A port nobody listens on: refused at once, naming where.
        const down = `postgres://u:secret-pw@127.0.0.1:${server.port + 1}/db`;
        const unreachable = withUrl(down)("status");
        expect(unreachable.code).toBe(1);
        expect(unreachable.err).toContain("[STORE_UNREACHABLE]");
        expect(unreachable.err).toContain(`127.0.0.1:${server.port + 1}`);
        expect(unreachable.err).not.toContain("secret-pw");
      } finally {
        for (const dispose of stores) dispose();
      }
    },
    CLI_TEST_MS,
  );

  it(
    "refuses a database whose schema a newer Governor wrote, and changes nothing in it",
    async () => {
      const url = await server.createDatabase();
      const { governor, dispose } = governorOnTempStore({ DATABASE_URL: url });
      try {
        expect(governor("migrate").code).toBe(0);
        await query(url, "INSERT INTO governor_schema (version, name) VALUES (999, 'from the future')");
        const before = await query(url, "SELECT count(*)::int AS n FROM runs");
        const run = governor("run", "refund", "--case", "small-refund");
        expect(run.code).toBe(1);
        expect(run.err).toContain("[STORE_SCHEMA_MISMATCH]");
        expect(run.err).toMatch(/999/);
        expect(await query(url, "SELECT count(*)::int AS n FROM runs")).toEqual(before);
      } finally {
        dispose();
      }
    },
    CLI_TEST_MS,
  );
});
