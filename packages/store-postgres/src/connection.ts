import { GovernorError } from "@governor/errors";
import pg from "pg";
import { type DatabaseTarget, parseDatabaseUrl } from "./database-url.js";

/** How long to wait for a connection before saying the server is unreachable, unless configured. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Overrides the connect timeout (milliseconds). */
export const CONNECT_TIMEOUT_ENV = "GOVERNOR_PG_CONNECT_TIMEOUT_MS";

/**
 * How long one statement may go unanswered before it fails, unless configured: a server
 * behind a partition (no reset, no answer) would otherwise hold a run for the OS's TCP
 * keepalive time, hours. Generous, because a busy server answering slowly is not wrong.
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;

/** Overrides the query timeout (milliseconds). */
export const QUERY_TIMEOUT_ENV = "GOVERNOR_PG_QUERY_TIMEOUT_MS";

/** Overrides how many connections one process's pool opens at most (default 10). */
export const POOL_MAX_ENV = "GOVERNOR_PG_POOL_MAX";

export interface PoolOptions {
  /** Milliseconds to wait for a connection; default `GOVERNOR_PG_CONNECT_TIMEOUT_MS`, else 10 s. */
  readonly connectionTimeoutMillis?: number;
  /** Milliseconds one statement may go unanswered; default `GOVERNOR_PG_QUERY_TIMEOUT_MS`, else 60 s. */
  readonly queryTimeoutMillis?: number;
  /** Most connections this pool opens; default `GOVERNOR_PG_POOL_MAX`, else 10 (pg's default). */
  readonly max?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The pools this package opened, with where they point: messages name the host and port. */
const targets = new WeakMap<pg.Pool, DatabaseTarget>();

/**
 * A connection pool for a DATABASE_URL, checked but not yet connected.
 *
 * A connection attempt gives up after the connect timeout, so an unreachable or blackholed
 * server is an error, not a hang. A server that restarts kills the pool's idle connections;
 * pg reports that as a pool 'error' event, which would crash the process if nobody listened:
 * it is ignored here, and the next query connects anew (or reports STORE_UNREACHABLE).
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID for a malformed URL or timeout setting.
 */
export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const target = parseDatabaseUrl(url);
  const env = options.env ?? process.env;
  const connectTimeout =
    positive(options.connectionTimeoutMillis, "connectionTimeoutMillis") ??
    positive(fromEnv(env, CONNECT_TIMEOUT_ENV), CONNECT_TIMEOUT_ENV) ??
    DEFAULT_CONNECT_TIMEOUT_MS;
  const queryTimeout =
    positive(options.queryTimeoutMillis, "queryTimeoutMillis") ??
    positive(fromEnv(env, QUERY_TIMEOUT_ENV), QUERY_TIMEOUT_ENV) ??
    DEFAULT_QUERY_TIMEOUT_MS;
  // The connect timeout goes on each connection attempt, not on the pool: pg.Pool would apply
  // it to waiting for a busy pool's free connection too, and under load (many runs, few
  // connections) that wait is work in progress, not an unreachable server. The query timeout
  // is pg's client-side one: it needs no answer from the server, so it ends a partition's wait
  // too (a server-side statement_timeout would need the server to hear it). The connection a
  // statement timed out on is then dropped, not reused (see unreachableCause). A statement the
  // server already received may still run: the caller hears STORE_UNREACHABLE, an unknown
  // outcome, as after a crash between COMMIT and its answer.
  class TimedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeout, query_timeout: queryTimeout });
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    Client: TimedClient,
    max: positive(options.max, "max") ?? positive(fromEnv(env, POOL_MAX_ENV), POOL_MAX_ENV) ?? 10,
    keepAlive: true,
  });
  pool.on("error", () => undefined);
  targets.set(pool, target);
  return pool;
}

/** Where a pool points, as `host:port/database`, for messages. */
export function poolTarget(pool: pg.Pool): string {
  const known = targets.get(pool);
  if (known) return `${known.host}:${known.port}/${known.database}`;
  const { host, port, database, connectionString } = pool.options;
  if (connectionString) {
    try {
      const target = parseDatabaseUrl(connectionString);
      return `${target.host}:${target.port}/${target.database}`;
    } catch {
      return "the configured database";
    }
  }
  return `${host ?? "localhost"}:${port ?? 5432}/${database ?? ""}`;
}

/** A setting from the environment as a number; undefined when unset or blank. */
function fromEnv(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const text = env[name];
  return text === undefined || text.trim() === "" ? undefined : Number(text);
}

/** @throws {GovernorError} STORE_CONFIG_INVALID naming the setting when it is given but not a positive whole number. */
function positive(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1)
    throw new GovernorError(
      "STORE_CONFIG_INVALID",
      `${what} must be a positive whole number, not ${String(value)}`,
      {
        [what]: value,
      },
    );
  return value;
}
