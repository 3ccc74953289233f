import { GovernorError } from "@governor/errors";
import pg from "pg";
import { type DatabaseTarget, parseDatabaseUrl } from "./database-url.js";

/** How long to wait for a connection before saying the server is unreachable, unless configured. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Overrides the connect timeout (milliseconds). */
export const CONNECT_TIMEOUT_ENV = "GOVERNOR_PG_CONNECT_TIMEOUT_MS";

export interface PoolOptions {
  /** Milliseconds to wait for a connection; default `GOVERNOR_PG_CONNECT_TIMEOUT_MS`, else 10 s. */
  readonly connectionTimeoutMillis?: number;
  /** Most connections this pool opens (pg's default is 10). */
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
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: connectTimeout(options),
    max: options.max ?? 10,
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

function connectTimeout(options: PoolOptions): number {
  if (options.connectionTimeoutMillis !== undefined)
    return checkTimeout(options.connectionTimeoutMillis, "connectionTimeoutMillis");
  const configured = (options.env ?? process.env)[CONNECT_TIMEOUT_ENV];
  if (configured === undefined || configured === "") return DEFAULT_CONNECT_TIMEOUT_MS;
  return checkTimeout(Number(configured), CONNECT_TIMEOUT_ENV);
}

function checkTimeout(ms: number, what: string): number {
  if (!Number.isInteger(ms) || ms < 1)
    throw new GovernorError(
      "STORE_CONFIG_INVALID",
      `${what} must be a positive whole number of milliseconds, not ${String(ms)}`,
      { [what]: ms },
    );
  return ms;
}
