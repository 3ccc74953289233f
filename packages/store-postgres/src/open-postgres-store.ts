import {
  defaultGovernorDir,
  type GovernorStores,
  type GraphServices,
  maskingAuditJournal,
  storeKeys,
} from "@governor/core";
import type { TokenKeys } from "@governor/identity";
import type { AuditJournal } from "@governor/observability";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { PgAuditJournal } from "./audit/pg-audit-journal.js";
import { openPool, type PoolOptions } from "./connection.js";
import { parseDatabaseUrl } from "./database-url.js";
import { checkSchema, migrate } from "./migrate.js";
import { PgApprovalUseLedger } from "./pg-approval-uses.js";
import { PgEffectJournal } from "./pg-effect-journal.js";
import { PgKillSwitches } from "./pg-kill-switches.js";
import { PgLeaseStore } from "./pg-lease-store.js";
import { PgRunStore } from "./pg-run-store.js";
import { PgSpendLedger } from "./pg-spend-ledger.js";
import { StoreDatabase } from "./store-database.js";

export interface PostgresStoreOptions {
  /** `DATABASE_URL`: postgres://USER:PASSWORD@HOST:PORT/DATABASE. */
  readonly url: string;
  /**
   * A local directory for development keys (approvers' and the audit key) when none is
   * configured in the environment; default `GOVERNOR_DIR`, else `.governor/`. Every worker
   * must verify with the same keys: configure them in production.
   */
  readonly dir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Apply missing migrations on open (default); when false, a database not at this version is refused. */
  readonly autoMigrate?: boolean;
  /** Connection pool settings (connect timeout, size). */
  readonly pool?: Omit<PoolOptions, "env">;
}

/**
 * Every Governor store in one PostgreSQL database, on one connection pool: what
 * `DATABASE_URL` switches to. The same contract as the embedded SQLite store, so the runtime,
 * the CLI and workers run a workflow the same on either.
 */
export class PostgresGovernorStore implements GovernorStores {
  readonly backend = "postgres";
  readonly location: string;
  readonly pool: pg.Pool;
  readonly checkpointer: PostgresSaver;
  readonly audit: AuditJournal;
  readonly effects: PgEffectJournal;
  readonly runs: PgRunStore;
  readonly leases: PgLeaseStore;
  readonly kills: PgKillSwitches;
  readonly spend: PgSpendLedger;
  readonly approvalUses: PgApprovalUseLedger;
  readonly tokenKeys: TokenKeys;
  /** Memory facts are not kept in PostgreSQL yet: memory nodes refuse to compile on this store. */
  readonly memory = undefined;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, location: string, audit: AuditJournal, tokenKeys: TokenKeys) {
    this.pool = pool;
    this.location = location;
    this.audit = audit;
    this.tokenKeys = tokenKeys;
    this.effects = new PgEffectJournal(pool);
    this.runs = new PgRunStore(pool);
    this.leases = new PgLeaseStore(pool);
    this.kills = new PgKillSwitches(pool);
    this.spend = new PgSpendLedger(pool);
    this.approvalUses = new PgApprovalUseLedger(pool);
    this.checkpointer = new PostgresSaver(pool);
  }

  graphServices(): GraphServices {
    return {
      audit: this.audit,
      effects: this.effects,
      tokenKeys: this.tokenKeys,
      approvalUses: this.approvalUses,
      killSwitch: this.kills,
      spend: this.spend,
    };
  }

  /** Writes what the audit journal holds back, then ends the pool. Closing twice is closing once. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        await this.audit.flush?.();
      } finally {
        await this.pool.end();
      }
    })();
    return this.#closed;
  }
}

/**
 * Opens the PostgreSQL store a `DATABASE_URL` names: checks the URL, connects (giving up
 * after the connect timeout), applies missing migrations (or, with `autoMigrate: false`,
 * refuses a schema other than this code's), and wires every store on one pool.
 *
 * @example
 * const stores = await openPostgresStore({ url: process.env.DATABASE_URL! });
 * const runtime = new GovernorRuntime({ store: stores });
 * // …
 * await stores.close();
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID for a malformed URL or setting, or no audit key;
 *   STORE_UNREACHABLE when the server cannot be reached (refused, timed out, authentication
 *   failed, no such database); STORE_SCHEMA_MISMATCH when the schema is newer than this code
 *   (or older, without autoMigrate).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresGovernorStore> {
  const target = parseDatabaseUrl(options.url);
  const env = options.env ?? process.env;
  const dir = options.dir ?? defaultGovernorDir(env);
  const pool = openPool(options.url, { ...options.pool, env });
  try {
    // One round trip first, so an unreachable server is reported as such before anything else.
    await new StoreDatabase(pool).query("SELECT 1");
    if (options.autoMigrate ?? true) await migrate(pool);
    else await checkSchema(pool);
    // Masked (emails, cards, phones) before anything is stored, as on the embedded store.
    const audit = maskingAuditJournal(await PgAuditJournal.open(pool, { dir, env }));
    return new PostgresGovernorStore(pool, target.redacted, audit, storeKeys(dir, env));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
