import { GovernorError } from "@governor/errors";
import { Redis, type RedisOptions } from "ioredis";

/** Where the run queue's Redis is, as parsed from REDIS_URL: safe to print (no password). */
export interface RedisTarget {
  /** The URL as given, password included: for connecting only, never for messages. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** `host:port` (and the database when not 0), for messages and logs. */
  readonly shown: string;
}

/**
 * Reads REDIS_URL (or another setting named by `origin`): `redis://[user:password@]host[:port][/db]`
 * or `rediss://` for TLS.
 *
 * A malformed URL is refused here, before anything connects, so a typo is one line naming the
 * setting rather than a client retrying forever against a host that does not exist. The
 * password is never part of a message: settings get pasted into tickets.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID naming `origin` and what is wrong.
 */
export function parseRedisUrl(raw: string | undefined, origin = "REDIS_URL"): RedisTarget {
  const invalid = (why: string) =>
    new GovernorError(
      "QUEUE_CONFIG_INVALID",
      `${origin} ${why}: expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS)`,
      { setting: origin },
    );
  if (raw === undefined || raw.trim() === "") throw invalid("is not set");
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw invalid("is not a URL");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw invalid(`has scheme "${parsed.protocol.replace(/:$/, "")}", not redis or rediss`);
  if (!parsed.hostname) throw invalid("names no host");
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid(`has port "${parsed.port}"`);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,2}$/.test(db)) throw invalid(`has database "${db.slice(0, 40)}", not a number`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return {
    url: raw.trim(),
    host,
    port,
    tls: parsed.protocol === "rediss:",
    shown: `${parsed.hostname}:${port}${db && db !== "0" ? `/${db}` : ""}`,
  };
}

export interface ConnectRedisOptions {
  /** How long the first connection may take before QUEUE_UNREACHABLE. Default 5 s. */
  readonly timeoutMs?: number;
  /**
   * For a BullMQ Worker: commands wait for Redis to come back however long it takes
   * (`maxRetriesPerRequest: null`, which BullMQ requires of a worker's connection). A producer
   * (enqueueing from a CLI command) instead gives up after a few retries and says so.
   */
  readonly forWorker?: boolean;
  /** Named in messages. Default "REDIS_URL". */
  readonly origin?: string;
}

/**
 * A connected ioredis client, or a clear error within `timeoutMs`.
 *
 * ioredis reconnects forever by default, so a wrong host would hang a command silently: the
 * first connection is made explicitly (`lazyConnect` + `connect()`) under a deadline. Once it
 * is up, reconnecting after a Redis restart is what we want, and ioredis does it.
 *
 * @throws {GovernorError} QUEUE_UNREACHABLE naming the setting and host:port (never the password).
 */
export async function connectRedis(target: RedisTarget, options: ConnectRedisOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const settings: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: options.forWorker ? null : 3,
    // Reconnect quickly at first, then every 2 s: a restarted Redis is found within seconds.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  };
  const redis = new Redis(target.url, settings);
  // Before the first connection is up, errors are reported by connect() below; afterwards
  // ioredis emits one per failed reconnect, which must not crash the process.
  redis.on("error", () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return redis;
  } catch (error) {
    redis.disconnect();
    const why = error instanceof Error ? error.message : String(error);
    throw new GovernorError(
      "QUEUE_UNREACHABLE",
      `Cannot reach the run queue's Redis at ${target.shown} (${options.origin ?? "REDIS_URL"}): ${redact(why, target)}`,
      { setting: options.origin ?? "REDIS_URL", host: target.host, port: target.port },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** ioredis messages may echo the URL; the password goes nowhere. */
function redact(message: string, target: RedisTarget): string {
  const password = safePassword(target.url);
  return password ? message.split(password).join("***") : message;
}

function safePassword(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return undefined;
  }
}
