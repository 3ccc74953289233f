import { createServer, type Server, type Socket } from "node:net";
import { freePort, type PostgresServer, startPostgres } from "@governor/testing-services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPool } from "../src/connection.js";
import { openPostgresStore } from "../src/open-postgres-store.js";
import { StoreDatabase } from "../src/store-database.js";
import { failureOf } from "./failure-of.js";

const env = { GOVERNOR_AUDIT_KEY: "k".repeat(40) };
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/**
 * A server that accepts connections and never answers: to a client, a blackholed host
 * (packets go out, nothing comes back). On 127.0.0.1, so no traffic leaves the machine.
 */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", resolve));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        silent.close(() => resolve());
      }),
  };
}

describe("an unreachable database", () => {
  it("is refused at once when nothing listens on the port, naming host and port, never the password", async () => {
    const port = await freePort();
    const error = await failureOf(
      openPostgresStore({ url: `postgres://gov:s3cret@127.0.0.1:${port}/governor`, env }),
    );
    expect(error.code).toBe("STORE_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain("connection refused");
    expect(error.message).not.toContain("s3cret");
  });

  it("times out against a host that never answers, after the connect timeout, without hanging", async () => {
    const blackhole = await silentServer();
    try {
      const error = await failureOf(
        openPostgresStore({
          url: `postgres://gov@127.0.0.1:${blackhole.port}/governor`,
          env,
          pool: { connectionTimeoutMillis: 1000 },
        }),
      );
      expect(error.code).toBe("STORE_UNREACHABLE");
      expect(error.message).toContain(`127.0.0.1:${blackhole.port}`);
      expect(error.message).toContain("timed out");
    } finally {
      await blackhole.close();
    }
  });

  it("takes the connect timeout from GOVERNOR_PG_CONNECT_TIMEOUT_MS", async () => {
    const blackhole = await silentServer();
    try {
      const error = await failureOf(
        openPostgresStore({
          url: `postgres://gov@127.0.0.1:${blackhole.port}/governor`,
          env: { ...env, GOVERNOR_PG_CONNECT_TIMEOUT_MS: "500" },
        }),
      );
      expect(error.message).toContain("timed out");
    } finally {
      await blackhole.close();
    }
  });

  it("names a database that does not exist", async () => {
    const error = await failureOf(
      openPostgresStore({ url: `postgres://postgres@127.0.0.1:${server.port}/no_such_db`, env }),
    );
    expect(error.code).toBe("STORE_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${server.port}/no_such_db`);
    expect(error.message).toContain("database does not exist");
  });

  it("says authentication failed for a user the server does not know", async () => {
    const error = await failureOf(
      openPostgresStore({ url: `postgres://intruder:s3cret@127.0.0.1:${server.port}/postgres`, env }),
    );
    expect(error.code).toBe("STORE_UNREACHABLE");
    expect(error.message).toContain("authentication failed");
    expect(error.message).not.toContain("s3cret");
  });

  it("refuses a malformed URL before connecting", async () => {
    const error = await failureOf(openPostgresStore({ url: "postgres://gov:s3cret@:5432/x", env }));
    expect(error.code).toBe("STORE_CONFIG_INVALID");
    expect(error.message).not.toContain("s3cret");
  });

  it("is not what a busy pool is: calls waiting longer than the connect timeout for a free connection still run", async () => {
    const pool = openPool(server.url, { max: 2, connectionTimeoutMillis: 500 });
    try {
      const db = new StoreDatabase(pool);
      // Six calls on two connections, each holding its connection past the connect timeout.
      const slept = await Promise.all(
        Array.from({ length: 6 }, () => db.query("SELECT true AS ok FROM pg_sleep(0.6)")),
      );
      expect(slept.map((result) => result.rows[0]?.ok)).toEqual([true, true, true, true, true, true]);
    } finally {
      await pool.end();
    }
  });
});
