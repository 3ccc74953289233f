import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteKillSwitches } from "./kill-switches.js";

// The switches are served from memory between database changes: every way a change can
// arrive must be seen at the very next read, or a kill would be missed.
let dir: string;
let connections: Database.Database[];
const open = () => {
  const db = new Database(join(dir, "governor.db"));
  db.pragma("journal_mode = WAL");
  connections.push(db);
  return db;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-kills-"));
  connections = [];
});
afterEach(() => {
  for (const db of connections) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kill switches read from memory", () => {
  it("see a switch engaged and released through another connection at the next read", async () => {
    const runs = new SqliteKillSwitches(open());
    const operator = new SqliteKillSwitches(open());
    expect(runs.active("support")).toBeUndefined();
    await operator.kill({ agent: "support", reason: "runaway" });
    expect(runs.active("support")?.reason).toBe("runaway");
    expect(runs.active("billing")).toBeUndefined();
    await operator.kill({ reason: "all stop" });
    expect(runs.active("billing")?.scope).toBe("global");
    await operator.kill({ reason: "all stop, again" });
    expect(runs.active("billing")?.reason).toBe("all stop, again");
    await operator.unkill();
    expect(runs.active("billing")).toBeUndefined();
    expect(runs.active("support")?.reason).toBe("runaway");
    await operator.unkill({ agent: "support" });
    expect(runs.active("support")).toBeUndefined();
  });

  it("see a write through another reader on the same connection (which data_version does not report)", async () => {
    const db = open();
    const runs = new SqliteKillSwitches(db);
    const operator = new SqliteKillSwitches(db);
    expect(runs.active("support")).toBeUndefined();
    await operator.kill({ agent: "Support", reason: "same connection" });
    expect(runs.active("support")?.reason).toBe("same connection");
    await operator.unkill({ agent: "support" });
    expect(runs.active("support")).toBeUndefined();
  });

  it("see a switch written by plain SQL from another connection (another process's tool)", async () => {
    const runs = new SqliteKillSwitches(open());
    expect(runs.active("support")).toBeUndefined();
    open()
      .prepare(
        "INSERT INTO kill_switches (scope, reason, at) VALUES ('global', 'raw', '2026-01-01T00:00:00Z')",
      )
      .run();
    expect(runs.active("support")?.reason).toBe("raw");
  });

  it("do not keep a 'not revoked' answer once another connection revokes the delegation", async () => {
    const runs = new SqliteKillSwitches(open());
    const operator = new SqliteKillSwitches(open());
    expect(runs.revoked("jti-1")).toBeUndefined();
    expect(runs.revoked("jti-1")).toBeUndefined();
    operator.revoke({ jti: "jti-1", reason: "user left" });
    expect(runs.revoked("jti-1")?.reason).toBe("user left");
    expect(runs.revoked("jti-2")).toBeUndefined();
  });
});
