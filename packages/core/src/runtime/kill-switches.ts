import type Database from "better-sqlite3";
import { canonicalId } from "../control/canonical-id.js";
import {
  type DelegationRevocation,
  type KillRecord,
  type KillScope,
  type KillSwitchStore,
  killScope,
} from "../control/kill-switch.js";

type Row = { scope: KillScope; reason: string; at: string; by: string | null };
type RevocationRow = { jti: string; reason: string; at: string; by: string | null };

/**
 * Writes made to the switches through this process's connections. `PRAGMA data_version`
 * changes only when ANOTHER connection commits, so a write on the same connection (from any
 * SqliteKillSwitches sharing it) bumps this count instead.
 */
const localWrites = new WeakMap<Database.Database, number>();

/** What a boundary reads, as of one database version: every engaged switch, and the revocations asked about. */
interface Snapshot {
  readonly dataVersion: number;
  readonly localWrites: number;
  readonly kills: ReadonlyMap<string, KillRecord>;
  readonly revoked: Map<string, DelegationRevocation | null>;
}

/**
 * Kill switches in the store's SQLite database (table `kill_switches`). A row is an engaged
 * switch; releasing it deletes the row. A switch flipped by another process (`governor kill`)
 * stops runs within one node.
 *
 * Every node boundary asks, so the answer is served from memory and reloaded only when the
 * database changed: `PRAGMA data_version` (a counter SQLite keeps in the connection, no table
 * read) moves whenever another connection or process commits, and writes through this
 * connection bump `localWrites`. Exact, not time-based: no boundary ever sees a switch state
 * older than the last commit (a query per node cost ≈ 90 µs; this check ≈ 1 µs).
 *
 * Revoked delegations (table `revoked_delegations`) live here too: a revocation is a stop
 * scoped to the runs acting under one user's token, read at the same boundaries.
 */
export class SqliteKillSwitches implements KillSwitchStore {
  readonly #db: Database.Database;
  readonly #revoked: Database.Statement<[string], RevocationRow>;
  readonly #all: Database.Statement<[], Row>;
  readonly #dataVersion: Database.Statement<[], number>;
  #snapshot: Snapshot | undefined;

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
    this.#all = db.prepare<[], Row>("SELECT * FROM kill_switches");
    this.#dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
  }

  /** The switches as of the database's current version, reloaded when anything committed since. */
  #current(): Snapshot {
    const dataVersion = this.#dataVersion.get() as number;
    const writes = localWrites.get(this.#db) ?? 0;
    const held = this.#snapshot;
    if (held && held.dataVersion === dataVersion && held.localWrites === writes) return held;
    const kills = new Map(this.#all.all().map((row) => [row.scope, toRecord(row)] as const));
    this.#snapshot = { dataVersion, localWrites: writes, kills, revoked: new Map() };
    return this.#snapshot;
  }

  /** Marks a write through this connection, so every reader sharing it reloads. */
  #wrote(): void {
    localWrites.set(this.#db, (localWrites.get(this.#db) ?? 0) + 1);
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
    this.#wrote();
    return record;
  }

  /** Releases one switch; returns whether it was engaged. Releasing the global switch leaves agents' switches as they are. */
  unkill(options: { agent?: string } = {}): boolean {
    const released =
      this.#db.prepare("DELETE FROM kill_switches WHERE scope = ?").run(killScope(options.agent)).changes > 0;
    this.#wrote();
    return released;
  }

  active(agentId: string): KillRecord | undefined {
    const scope = killScope(agentId);
    const { kills } = this.#current();
    return kills.get("global") ?? kills.get(scope);
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
    this.#wrote();
    return this.revoked(jti) as DelegationRevocation;
  }

  revoked(jti: string): DelegationRevocation | undefined {
    const { revoked } = this.#current();
    const known = revoked.get(jti);
    if (known !== undefined) return known ?? undefined;
    const row = this.#revoked.get(canonicalId(jti, "delegation id"));
    const record = row && { jti: row.jti, reason: row.reason, at: row.at, ...(row.by ? { by: row.by } : {}) };
    revoked.set(jti, record ?? null);
    return record;
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
