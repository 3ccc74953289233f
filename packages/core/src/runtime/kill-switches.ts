import type Database from "better-sqlite3";
import { type KillRecord, type KillScope, type KillSwitch, killScope } from "../control/kill-switch.js";

type Row = { scope: KillScope; reason: string; at: string; by: string | null };

/**
 * Kill switches in the store's SQLite database (table `kill_switches`). A row is an engaged
 * switch; releasing it deletes the row. Every node boundary reads it by primary key, so a
 * switch flipped by another process (`governor kill`) stops runs within one node.
 */
export class SqliteKillSwitches implements KillSwitch {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], Row>;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS kill_switches (
      scope TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      at TEXT NOT NULL,
      by TEXT
    )`);
    this.#get = db.prepare<[string, string], Row>(
      "SELECT * FROM kill_switches WHERE scope IN (?, ?) ORDER BY scope = 'global' DESC LIMIT 1",
    );
  }

  /** Engages the switch for every run (no agent) or one agent's runs; engaging it again updates the reason. */
  kill(options: { agent?: string; reason?: string; by?: string; at?: Date } = {}): KillRecord {
    const record: KillRecord = {
      scope: killScope(options.agent),
      reason: options.reason ?? "no reason given",
      at: (options.at ?? new Date()).toISOString(),
      ...(options.by ? { by: options.by } : {}),
    };
    this.#db
      .prepare(
        `INSERT INTO kill_switches (scope, reason, at, by) VALUES (?, ?, ?, ?)
         ON CONFLICT(scope) DO UPDATE SET reason = excluded.reason, at = excluded.at, by = excluded.by`,
      )
      .run(record.scope, record.reason, record.at, record.by ?? null);
    return record;
  }

  /** Releases one switch; returns whether it was engaged. Releasing the global switch leaves agents' switches as they are. */
  unkill(options: { agent?: string } = {}): boolean {
    return (
      this.#db.prepare("DELETE FROM kill_switches WHERE scope = ?").run(killScope(options.agent)).changes > 0
    );
  }

  active(agentId: string): KillRecord | undefined {
    const row = this.#get.get("global", killScope(agentId));
    return row && toRecord(row);
  }

  list(): KillRecord[] {
    return this.#db.prepare<[], Row>("SELECT * FROM kill_switches ORDER BY scope").all().map(toRecord);
  }
}

function toRecord(row: Row): KillRecord {
  return { scope: row.scope, reason: row.reason, at: row.at, ...(row.by ? { by: row.by } : {}) };
}
