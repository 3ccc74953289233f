import { GovernorError } from "@governor/errors";

/**
 * How quickly a dead worker's job goes to another worker, and how hard a job is retried.
 *
 * A worker holds a lock on each job it runs and renews it every `lockDurationMs / 2`. A worker
 * killed with SIGKILL stops renewing; once the lock lapses, the next stalled-job check of any
 * live worker (every `stalledIntervalMs`) moves the job back to the queue, and another worker
 * continues the run from its last checkpoint. So a crash is picked up within about
 * lockDurationMs + 2 × stalledIntervalMs (a job is first marked, then moved).
 *
 * The lock must outlast the longest stretch a busy worker's event loop cannot renew it
 * (a long synchronous step, a GC pause on a loaded host): a lock lost under a live worker
 * hands the job to a second worker while the first still drives it. That is safe (the run's
 * lease makes the second wait, then it finds the run moved on, and the effect journal holds
 * either way) but wasteful, so production keeps BullMQ's 30 s; tests shorten it to seconds.
 */
export interface WorkerTimings {
  /** Default 30 000 (BullMQ's). */
  readonly lockDurationMs: number;
  /** Default 15 000: a dead worker's job moves within about a minute. */
  readonly stalledIntervalMs: number;
  /**
   * How many times a job may be rescued from a dead worker before it is failed. Default 2:
   * a run that kills every worker that takes it (a poison run) stops after two crashes
   * instead of taking the pool down one worker at a time.
   */
  readonly maxStalledCount: number;
  /**
   * How often a worker looks in the store for runs that are due but have no live job (see
   * RunQueue#requeueDue) and re-enqueues them. Default 60 000. Every worker sweeps; the job ids
   * keep their sweeps from doubling a job.
   */
  readonly sweepIntervalMs: number;
}

export const DEFAULT_TIMINGS: WorkerTimings = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 2,
  sweepIntervalMs: 60_000,
};

/**
 * Timings from the environment, over the defaults: GOVERNOR_WORKER_LOCK_MS,
 * GOVERNOR_WORKER_STALLED_MS, GOVERNOR_WORKER_MAX_STALLED, GOVERNOR_WORKER_SWEEP_MS.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID naming the variable that is not a positive integer.
 */
export function timingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTimings {
  return {
    lockDurationMs: positiveInteger(env, "GOVERNOR_WORKER_LOCK_MS") ?? DEFAULT_TIMINGS.lockDurationMs,
    stalledIntervalMs:
      positiveInteger(env, "GOVERNOR_WORKER_STALLED_MS") ?? DEFAULT_TIMINGS.stalledIntervalMs,
    maxStalledCount: positiveInteger(env, "GOVERNOR_WORKER_MAX_STALLED") ?? DEFAULT_TIMINGS.maxStalledCount,
    sweepIntervalMs: positiveInteger(env, "GOVERNOR_WORKER_SWEEP_MS") ?? DEFAULT_TIMINGS.sweepIntervalMs,
  };
}

/**
 * A worker's concurrency: a positive integer, at most 1000.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID naming `origin` and the value.
 */
export function parseConcurrency(value: string | number | undefined, origin = "--concurrency"): number {
  if (value === undefined) return 1;
  const parsed = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1_000) {
    throw new GovernorError(
      "QUEUE_CONFIG_INVALID",
      `${origin} must be a whole number from 1 to 1000, got "${String(value).slice(0, 40)}"`,
      { setting: origin },
    );
  }
  return parsed;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new GovernorError(
      "QUEUE_CONFIG_INVALID",
      `${name} must be a positive whole number of ${name.endsWith("_MS") ? "milliseconds" : "times"}, got "${raw.slice(0, 40)}"`,
      {
        setting: name,
      },
    );
  }
  return Number(raw);
}
