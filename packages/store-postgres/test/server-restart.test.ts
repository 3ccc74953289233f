import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, pollUntil, startPostgres } from "@governor/testing-services";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresGovernorStore } from "../src/open-postgres-store.js";
import { failureOf } from "./failure-of.js";

let server: PostgresServer;
let store: PostgresGovernorStore;
const dir = mkdtempSync(join(tmpdir(), "governor-pg-restart-"));
const principal = { id: "user:ana", role: "support", scopes: [] } as never;

beforeAll(async () => {
  server = await startPostgres();
  store = await openPostgresStore({
    url: await server.createDatabase(),
    dir,
    // Generous: a loaded machine can take seconds to open a connection, which is slow, not gone.
    pool: { connectionTimeoutMillis: 30_000 },
  });
});
afterAll(async () => {
  await store?.close().catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the database going away mid-use", () => {
  it("fails every store call with STORE_UNREACHABLE while it is down, and works again after it restarts, without reopening", async () => {
    await store.runs.create({ threadId: "t1", workflow: "refund", source: "sample:refund", principal });
    await store.effects.start("k1", "refund", "t1");
    await store.kills.kill({ agent: "support", reason: "before the crash" });
    // Idle connections in the pool, as a busy worker would hold.
    await Promise.all(Array.from({ length: 5 }, () => store.kills.active("support")));

    await server.kill();
    const calls: [string, () => unknown][] = [
      ["effects.get", () => store.effects.get("k1")],
      ["effects.start", () => store.effects.start("k2", "refund", "t1")],
      ["kills.active", () => store.kills.active("support")],
      [
        "spend.reserve",
        () =>
          store.spend.reserve({ principal: "user:ana", day: "2026-12-02", threadId: "t1", costUsd: 1 }, 5),
      ],
      ["runs.setStatus", () => store.runs.setStatus("t1", "completed")],
      ["leases.acquire", () => store.leases.acquire("t1", "owner", Date.now(), 1000)],
      [
        "approvalUses.claim",
        () => store.approvalUses.claim("jti", { threadId: "t1", node: "n", callId: "c" }),
      ],
      ["audit.append", () => store.audit.append({ threadId: "t1", kind: "run", outcome: "start" })],
    ];
    for (const [what, call] of calls) {
      const error = await failureOf(call);
      expect({ what, code: error.code }).toEqual({ what, code: "STORE_UNREACHABLE" });
      // The audit journal (helper B's) words its own messages; every other store names the server.
      if (what !== "audit.append") expect(error.message).toContain(`127.0.0.1:${server.port}`);
    }

    await server.restart();
    expect(await store.kills.active("support")).toMatchObject({ reason: "before the crash" });
    expect(await store.effects.get("k1")).toMatchObject({ status: "started" });
    // Nothing the failed calls tried was half-written.
    expect(await store.effects.get("k2")).toBeUndefined();
    expect(await store.spend.spent("user:ana", "2026-12-02")).toBe(0);
    expect(await store.runs.get("t1")).toMatchObject({ status: "running" });
    expect(
      await store.spend.reserve({ principal: "user:ana", day: "2026-12-02", threadId: "t1", costUsd: 1 }, 5),
    ).toEqual({
      ok: true,
      spent: 1,
    });
    await store.runs.setStatus("t1", "completed");
    expect(await store.runs.get("t1")).toMatchObject({ status: "completed" });
  });

  it("rolls back a transaction the server dies in the middle of, and the same store works after the restart", async () => {
    const entry = { principal: "user:bo", day: "2026-12-03", threadId: "t9", costUsd: 1 };
    // Another connection holds bo's lock for that day, so the reservation waits inside its transaction.
    const blocker = new pg.Client({ connectionString: store.pool.options.connectionString });
    blocker.on("error", () => undefined);
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT pg_advisory_xact_lock(21328, hashtext($1))", [
      JSON.stringify([entry.principal, entry.day]),
    ]);
    let settled: string | undefined;
    const reserving = store.spend.reserve(entry, 5).then(
      () => {
        settled = "the reservation succeeded while the lock was held";
        return undefined;
      },
      (error: Error & { code?: string }) => {
        settled = `the reservation failed before it waited: ${error.message}`;
        return error;
      },
    );
    await pollUntil(
      "the reservation waiting on the lock",
      async () => {
        // The blocker asks from inside its transaction, where PostgreSQL keeps the first
        // pg_stat_activity it read for the whole transaction: without clearing it, a first look
        // taken before the reservation arrived would say "not waiting" until the timeout.
        await blocker.query("SELECT pg_stat_clear_snapshot()");
        const { rows } = await blocker.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'",
        );
        return rows[0].n === 1;
      },
      60_000,
      () => settled,
    );
    await server.kill();
    const error = await reserving;
    expect(error?.code).toBe("STORE_UNREACHABLE");
    await blocker.end().catch(() => undefined);

    await server.restart();
    expect(await store.spend.spent(entry.principal, entry.day)).toBe(0);
    expect(await store.spend.reserve(entry, 5)).toEqual({ ok: true, spent: 1 });
  });
});
