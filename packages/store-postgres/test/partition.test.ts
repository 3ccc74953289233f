import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPool } from "../src/connection.js";
import { openPostgresStore, type PostgresGovernorStore } from "../src/open-postgres-store.js";
import { StoreDatabase } from "../src/store-database.js";
import { failureOf } from "./failure-of.js";

// A database that stops answering without closing anything (a network partition, a frozen
// host): no reset reaches the client, so only a timeout of ours ends the wait. The server is
// frozen with SIGSTOP, which keeps its sockets open and answers nothing.

let server: PostgresServer;
let store: PostgresGovernorStore;
const dir = mkdtempSync(join(tmpdir(), "governor-pg-partition-"));
const principal = { id: "user:ana", role: "support", scopes: [] } as never;
// Short, so the test does not wait a minute; large enough for a loaded machine's real answers.
const env = { GOVERNOR_PG_QUERY_TIMEOUT_MS: "3000", GOVERNOR_PG_CONNECT_TIMEOUT_MS: "3000" };

beforeAll(async () => {
  server = await startPostgres();
  store = await openPostgresStore({ url: await server.createDatabase(), dir, env });
});
afterEach(async () => {
  // A failed assertion must not leave the server stopped for the next test or for afterAll.
  await server?.thaw().catch(() => undefined);
});
afterAll(async () => {
  await store?.close().catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the database stops answering (a partition)", () => {
  it("fails store calls with STORE_UNREACHABLE instead of waiting for good, leaves each write whole or absent, and works again once it answers", async () => {
    await store.runs.create({ threadId: "p1", workflow: "refund", source: "sample:refund", principal });
    await store.audit.append({ threadId: "p1", kind: "run", outcome: "started" });
    // Connections in the pool, as a busy worker holds: the calls below go out on them.
    await Promise.all(Array.from({ length: 4 }, () => store.kills.active("support")));

    await server.freeze();
    const calls: [string, () => unknown][] = [
      ["runs.setStatus", () => store.runs.setStatus("p1", "completed")],
      ["effects.start", () => store.effects.start("k1", "refund", "p1")],
      [
        "spend.reserve",
        () =>
          store.spend.reserve({ principal: "user:ana", day: "2026-12-02", threadId: "p1", costUsd: 1 }, 5),
      ],
      ["audit.append", () => store.audit.append({ threadId: "p1", kind: "run", outcome: "completed" })],
    ];
    const failures = await Promise.all(
      calls.map(async ([what, call]) => [what, await failureOf(call)] as const),
    );
    for (const [what, error] of failures) {
      expect({ what, code: error.code }, error.message).toEqual({ what, code: "STORE_UNREACHABLE" });
      expect(error.message, what).toMatch(/timed out|query timeout/);
    }

    await server.thaw();
    // A statement the frozen server had already received runs once it goes on: a timeout cannot
    // tell "not done" from "done, answer lost", as a crash after COMMIT cannot. So the caller
    // hears STORE_UNREACHABLE (the outcome is unknown, never a success), and each write is
    // whole or absent: no half-written state, whichever it was.
    expect(["running", "completed"]).toContain((await store.runs.get("p1"))?.status);
    expect([undefined, "started"]).toContain((await store.effects.get("k1"))?.status);
    expect([0, 1]).toContain(await store.spend.spent("user:ana", "2026-12-02"));
    const outcomes = (await store.audit.list("p1")).map((record) => record.outcome);
    expect([["started"], ["started", "completed"]]).toContainEqual(outcomes);
    // And the same store works on, its chain intact.
    await store.runs.setStatus("p1", "completed");
    expect(await store.runs.get("p1")).toMatchObject({ status: "completed" });
    await store.audit.append({ threadId: "p1", kind: "run", outcome: "verified" });
    expect((await store.audit.list("p1")).map((record) => record.outcome)).toEqual([...outcomes, "verified"]);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it("drops the connection a statement timed out on, so the pool's next caller gets an answer", async () => {
    const pool = openPool(server.url, { env: { ...env, GOVERNOR_PG_POOL_MAX: "1" } });
    const db = new StoreDatabase(pool);
    try {
      // Not a partition: the server answers, late. A one-connection pool makes any reuse visible.
      const slow = await failureOf(() => db.query("SELECT pg_sleep(30)"));
      expect(slow.code).toBe("STORE_UNREACHABLE");
      expect(slow.message).toContain("query timeout");
      const { rows } = await db.query<{ answer: number }>("SELECT 42 AS answer");
      expect(rows[0]?.answer).toBe(42);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  it("refuses a query timeout that is not a positive number of milliseconds, naming the setting", () => {
    let error: (Error & { code?: string }) | undefined;
    try {
      openPool(server.url, { env: { GOVERNOR_PG_QUERY_TIMEOUT_MS: "a minute" } });
    } catch (caught) {
      error = caught as Error & { code?: string };
    }
    expect(error?.code).toBe("STORE_CONFIG_INVALID");
    expect(error?.message).toContain("GOVERNOR_PG_QUERY_TIMEOUT_MS");
  });
});
