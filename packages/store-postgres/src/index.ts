/**
 * Governor's stores in PostgreSQL: set `DATABASE_URL=postgres://…` and every store (the
 * LangGraph checkpointer, the audit journal, the effect journal, approval uses, runs, leases,
 * kill switches, spend) lives in one database that any number of workers share.
 */
export { PgAuditJournal, type PgAuditJournalOptions } from "./audit/pg-audit-journal.js";
export {
  CONNECT_TIMEOUT_ENV,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  openPool,
  POOL_MAX_ENV,
  type PoolOptions,
  QUERY_TIMEOUT_ENV,
} from "./connection.js";
export { type DatabaseTarget, parseDatabaseUrl, redactUrl } from "./database-url.js";
export { checkSchema, type MigrationResult, migrate } from "./migrate.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations/index.js";
export {
  openPostgresStore,
  PostgresGovernorStore,
  type PostgresStoreOptions,
} from "./open-postgres-store.js";
export { PgApprovalUseLedger } from "./pg-approval-uses.js";
export { PgEffectJournal } from "./pg-effect-journal.js";
export { PgKillSwitches } from "./pg-kill-switches.js";
export { PgLeaseStore } from "./pg-lease-store.js";
export { PgRunStore } from "./pg-run-store.js";
export { PgSpendLedger } from "./pg-spend-ledger.js";
