import { GovernorError } from "@governor/errors";
import type * as Workers from "@governor/workers";

/** True when the operator points Governor at a run queue: commands then hand runs to workers. */
export function queueConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.REDIS_URL?.trim());
}

/**
 * @governor/workers, loaded only when a queue is used: an embedded install never needs BullMQ
 * or a Redis client (the package is an optional peer of the CLI).
 *
 * @throws {GovernorError} CONFIG_INVALID when the package is not installed.
 */
export async function loadWorkers(): Promise<typeof Workers> {
  try {
    return await import("@governor/workers");
  } catch (error) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "REDIS_URL is set but @governor/workers is not installed: npm install @governor/workers (or unset REDIS_URL to run in this process)",
      {},
      { cause: error },
    );
  }
}

/**
 * The run queue named by REDIS_URL, connected (bounded: a wrong URL is an error within
 * seconds, never a hang). Opened before anything is written, so a bad REDIS_URL admits no run.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID, QUEUE_UNREACHABLE (both naming REDIS_URL).
 */
export async function openRunQueue(): Promise<Workers.RunQueue> {
  const { RunQueue, parseRedisUrl } = await loadWorkers();
  return RunQueue.open({
    redis: parseRedisUrl(process.env.REDIS_URL),
    queueName: process.env.GOVERNOR_QUEUE,
  });
}
