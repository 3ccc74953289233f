import { GovernorError } from "@governor/errors";
import { Redis } from "ioredis";

/**
 * A connection for the shared limits, tuned to fail closed fast rather than wait: every
 * command (queued while disconnected or not) fails after `commandTimeoutMs`, and the client
 * keeps reconnecting in the background, so calls are admitted again as soon as Redis is back.
 *
 * @throws {GovernorError} STORE_CONFIG_INVALID when the URL is not redis:// or rediss://.
 */
export function connectLimitsRedis(url: string, commandTimeoutMs: number): Redis {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || !parsed.hostname) {
    throw new GovernorError(
      "STORE_CONFIG_INVALID",
      "The Redis URL for shared call limits (REDIS_URL) is not redis://host[:port][/db] or rediss://…",
      { setting: "REDIS_URL" },
    );
  }
  return new Redis(url, {
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    // A command in flight when the connection drops fails instead of being retried for long.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
}
