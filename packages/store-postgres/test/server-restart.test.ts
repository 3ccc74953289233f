import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresGovernorStore } from "../src/open-postgres-store.js";

let server: PostgresServer;
let store: PostgresGovernorStore;
const dir = mkdtempSync(join(tmpdir(), "governor-pg-restart-"));
const principal = { id: "user:ana", role: "support", scopes: [] } as never;

beforeAll(async () => {
  server = await startPostgres();
  store = await openPostgresStore({
    url: await server.createDatabase(),
    dir,
    pool: { connectionTimeoutMillis: 5_000 },
  });
});
afterAll(async () => {
  await store?.close().catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function failureOf(work: () => unknown): Promise<Error & { code?: string }> {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a failure");
}

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
      expect(error.message).toContain(`127.0.0.1:${server.port}`);
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
});
