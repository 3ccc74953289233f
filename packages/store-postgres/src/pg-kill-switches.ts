import {
  canonicalId,
  type DelegationRevocation,
  type KillRecord,
  type KillScope,
  type KillSwitchStore,
  killScope,
} from "@governor/core";
import type pg from "pg";
import { StoreDatabase } from "./store-database.js";

type KillRow = { scope: KillScope; reason: string; at: Date; engaged_by: string | null };
type RevocationRow = { jti: string; reason: string; at: Date; revoked_by: string | null };

/**
 * Kill switches and revoked delegations in PostgreSQL (tables `kill_switches`,
 * `revoked_delegations`), answering as SqliteKillSwitches does.
 *
 * Exact across workers: every `active` and `revoked` is a query (one indexed lookup of at most
 * two rows), so a node boundary on any worker sees every switch committed before it asked.
 * No cache: a cache would need to know the moment another worker commits, and a missed
 * notification would let a killed run go on.
 */
export class PgKillSwitches implements KillSwitchStore {
  readonly #db: StoreDatabase;

  constructor(pool: pg.Pool) {
    this.#db = new StoreDatabase(pool);
  }

  /** @throws {GovernorError} CONFIG_INVALID for an agent id that is empty once trimmed. */
  async kill(options: { agent?: string; reason?: string; by?: string; at?: Date } = {}): Promise<KillRecord> {
    const record: KillRecord = {
      scope: killScope(options.agent),
      reason: options.reason ?? "no reason given",
      at: (options.at ?? new Date()).toISOString(),
      ...(options.by ? { by: options.by } : {}),
    };
    await this.#db.query(
      `INSERT INTO kill_switches (scope, reason, at, engaged_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope) DO UPDATE SET reason = excluded.reason, at = excluded.at, engaged_by = excluded.engaged_by`,
      [record.scope, record.reason, record.at, record.by ?? null],
    );
    return record;
  }

  async unkill(options: { agent?: string } = {}): Promise<boolean> {
    const result = await this.#db.query("DELETE FROM kill_switches WHERE scope = $1", [
      killScope(options.agent),
    ]);
    return result.rowCount === 1;
  }

  /** The global switch if engaged, else the agent's own (its id compared canonically). */
  async active(agentId: string): Promise<KillRecord | undefined> {
    const scope = killScope(agentId);
    const { rows } = await this.#db.query<KillRow>(
      "SELECT * FROM kill_switches WHERE scope IN ('global', $1) ORDER BY scope <> 'global'",
      [scope],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(): Promise<KillRecord[]> {
    const { rows } = await this.#db.query<KillRow>("SELECT * FROM kill_switches ORDER BY scope");
    return rows.map(toRecord);
  }

  /** @throws {GovernorError} CONFIG_INVALID for an empty id. */
  async revoke(options: {
    jti: string;
    reason?: string;
    by?: string;
    at?: Date;
  }): Promise<DelegationRevocation> {
    const jti = canonicalId(options.jti, "delegation id");
    await this.#db.query(
      `INSERT INTO revoked_delegations (jti, reason, at, revoked_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (jti) DO NOTHING`,
      [jti, options.reason ?? "no reason given", options.at ?? new Date(), options.by ?? null],
    );
    return (await this.revoked(jti)) as DelegationRevocation;
  }

  /** @throws {GovernorError} CONFIG_INVALID for an empty id. */
  async revoked(jti: string): Promise<DelegationRevocation | undefined> {
    const { rows } = await this.#db.query<RevocationRow>("SELECT * FROM revoked_delegations WHERE jti = $1", [
      canonicalId(jti, "delegation id"),
    ]);
    const row = rows[0];
    return (
      row && {
        jti: row.jti,
        reason: row.reason,
        at: row.at.toISOString(),
        ...(row.revoked_by ? { by: row.revoked_by } : {}),
      }
    );
  }
}

function toRecord(row: KillRow): KillRecord {
  return {
    scope: row.scope,
    reason: row.reason,
    at: row.at.toISOString(),
    ...(row.engaged_by ? { by: row.engaged_by } : {}),
  };
}
