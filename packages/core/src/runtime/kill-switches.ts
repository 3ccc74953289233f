import type Database from "better-sqlite3";
import { canonicalId } from "../control/canonical-id.js";
import {
  type DelegationRevocation,
  type KillRecord,
  type KillScope,
  type KillSwitch,
  killScope,
} from "../control/kill-switch.js";

type Row = { scope: KillScope; reason: string; at: string; by: string | null };
type RevocationRow = { jti: string; reason: string; at: string; by: string | null };

/**
 * Kill switches in the store's SQLite database (table `kill_switches`). A row is an engaged
 * switch; releasing it deletes the row. Every node boundary reads it by primary key, so a
 * switch flipped by another process (`governor kill`) stops runs within one node.
 *
 * Revoked delegations (table `revoked_delegations`) live here too: a revocation is a stop
 * scoped to the runs acting under one user's token, read at the same boundaries.
 */
export class SqliteKillSwitches implements KillSwitch {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], Row>;
  readonly #revoked: Database.Statement<[string], RevocationRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS kill_switches (
      scope TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      at TEXT NOT NULL,
      by TEXT
    )`);
    db.exec(`CREATE TABLE IF NOT EXISTS revoked_delegations (
      jti TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      at TEXT NOT NULL,
      by TEXT
    )`);
    canonicalizeStoredScopes(db);
    this.#revoked = db.prepare<[string], RevocationRow>("SELECT * FROM revoked_delegations WHERE jti = ?");
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

  /**
   * Revokes a delegation by its token id, for good: a revoked token is never valid again
   * (the user delegates anew, with a new token). Revoking it again keeps the first record.
   *
   * @throws {GovernorError} CONFIG_INVALID for an empty id.
   */
  revoke(options: { jti: string; reason?: string; by?: string; at?: Date }): DelegationRevocation {
    const jti = canonicalId(options.jti, "delegation id");
    this.#db
      .prepare(
        "INSERT INTO revoked_delegations (jti, reason, at, by) VALUES (?, ?, ?, ?) ON CONFLICT(jti) DO NOTHING",
      )
      .run(
        jti,
        options.reason ?? "no reason given",
        (options.at ?? new Date()).toISOString(),
        options.by ?? null,
      );
    return this.revoked(jti) as DelegationRevocation;
  }

  revoked(jti: string): DelegationRevocation | undefined {
    const row = this.#revoked.get(canonicalId(jti, "delegation id"));
    return row && { jti: row.jti, reason: row.reason, at: row.at, ...(row.by ? { by: row.by } : {}) };
  }
}

/**
 * Rewrites switches stored before agent ids were compared canonically (`agent:Billing`) to
 * the canonical scope lookups now use (`agent:billing`). Without it an engaged switch for a
 * mixed-case agent would silently stop nothing after an upgrade, and `unkill` could not find
 * it. Done in JavaScript because SQLite has no NFKC; an engaged switch stays engaged (a
 * canonical row already there is kept as it is).
 */
function canonicalizeStoredScopes(db: Database.Database): void {
  const rows = db.prepare<[], Row>("SELECT * FROM kill_switches WHERE scope LIKE 'agent:%'").all();
  const stale = rows.filter((row) => killScope(row.scope.slice("agent:".length)) !== row.scope);
  if (!stale.length) return;
  const insert = db.prepare(
    "INSERT INTO kill_switches (scope, reason, at, by) VALUES (?, ?, ?, ?) ON CONFLICT(scope) DO NOTHING",
  );
  const remove = db.prepare("DELETE FROM kill_switches WHERE scope = ?");
  db.transaction(() => {
    for (const row of stale) {
      insert.run(killScope(row.scope.slice("agent:".length)), row.reason, row.at, row.by);
      remove.run(row.scope);
    }
  })();
}

function toRecord(row: Row): KillRecord {
  return { scope: row.scope, reason: row.reason, at: row.at, ...(row.by ? { by: row.by } : {}) };
}
