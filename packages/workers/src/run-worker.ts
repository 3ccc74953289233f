import type { ResumeOptions, RunOutcome, RunRecord, Workflow } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { parseRunJob } from "./job-payload.js";
import { connectRedis, parseRedisUrl, type RedisTarget } from "./redis-url.js";
import { type LeaseProbe, RUN_QUEUE_NAME, RunQueue, type RunStateReader } from "./run-queue.js";
import { DEFAULT_TIMINGS, parseConcurrency, type WorkerTimings } from "./worker-settings.js";

/** The workflow a run belongs to, and what it runs with (its models, an event listener). */
export interface WorkerTarget {
  readonly workflow: Workflow;
  readonly options?: ResumeOptions;
}

/**
 * What a worker needs of the runtime: `continue` (a GovernorRuntime has it), the run store to
 * re-validate each job against, and the audit journal to record refused jobs in.
 */
export interface WorkerRuntime {
  readonly store: {
    readonly runs: RunStateReader;
    /** Run leases: with them, the periodic sweep also continues runs a dead worker left "running". */
    readonly leases?: LeaseProbe;
    readonly audit: {
      append(entry: {
        threadId: string;
        kind: "run";
        outcome: string;
        data?: Record<string, unknown>;
      }): unknown;
    };
  };
  continue(workflow: Workflow, threadId: string, options?: ResumeOptions): Promise<RunOutcome>;
}

export interface StartWorkerOptions {
  readonly runtime: WorkerRuntime;
  /** The queue's Redis: a URL as in REDIS_URL, or parsed. */
  readonly redis: string | RedisTarget;
  /**
   * Finds a stored run's workflow (the CLI: from the run's recorded source, through its
   * samples and the operator's config). Undefined: this worker does not run that workflow, and
   * the job is refused. Called for every job: cache what is costly to build.
   */
  readonly workflowFor: (run: RunRecord) => WorkerTarget | undefined | Promise<WorkerTarget | undefined>;
  /** Jobs run at once in this process. Default 1. */
  readonly concurrency?: number;
  readonly queueName?: string;
  readonly prefix?: string;
  readonly timings?: Partial<WorkerTimings>;
  readonly connectTimeoutMs?: number;
  /**
   * Enqueue the runs the store says are due when starting, and again every
   * `timings.sweepIntervalMs` (see RunQueue#requeueDue). Default true.
   */
  readonly requeueDue?: boolean;
  /** One line per notable event (a refused job, a retry, a Redis outage). Default: stderr. */
  readonly log?: (line: string) => void;
  /** Each run a job moved on, as it ends (for progress output, tests and benchmarks). */
  readonly onOutcome?: (outcome: RunOutcome, job: Job) => void;
}

/** A started worker. */
export interface RunWorker {
  readonly worker: Worker;
  /** The producer side on the same Redis (to enqueue follow-up jobs, or count them). */
  readonly queue: RunQueue;
  readonly concurrency: number;
  readonly timings: WorkerTimings;
  /** How many due runs were enqueued at start (see `requeueDue`). */
  readonly requeued: number;
  /**
   * Drains: takes no new job, waits for the active ones to finish, then disconnects. Resolves
   * once every active job has ended; called twice, the second call waits for the first.
   */
  close(): Promise<void>;
}

/**
 * Codes that say the infrastructure was away or busy, not that the job was wrong: the job is
 * retried (with backoff) rather than failed. Any error that is not a GovernorError (a dropped
 * database connection, say) is retried too.
 */
const RETRYABLE = new Set(["RUN_BUSY", "STORE_UNREACHABLE", "QUEUE_UNREACHABLE"]);

/** Where refused jobs are audited: not under the thread id the job claims, which may be anything. */
const QUEUE_AUDIT_THREAD = "governor:queue";

/**
 * Starts a BullMQ worker that moves runs on: each job names a thread, and the worker calls
 * `runtime.continue`, which reads from the store what the run is at (queued, crashed
 * mid-run, waiting with an answer) and does the one right thing, or nothing.
 *
 * A job is believed only as far as the store agrees: its payload must be exactly
 * `{ threadId }`, the thread must exist, and this worker must run its workflow; otherwise the
 * job fails for good (JOB_INVALID, audited) and nothing runs.
 *
 * @example
 * const worker = await startWorker({
 *   runtime,
 *   redis: process.env.REDIS_URL,
 *   concurrency: 4,
 *   workflowFor: (run) => (run.workflow === refund.name ? { workflow: refund, options: { model } } : undefined),
 * });
 * process.once("SIGTERM", () => void worker.close());
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID for a malformed URL or concurrency;
 *   QUEUE_UNREACHABLE when Redis does not answer within the connect timeout.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunWorker> {
  const concurrency = parseConcurrency(options.concurrency, "concurrency");
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const target = typeof options.redis === "string" ? parseRedisUrl(options.redis) : options.redis;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const connection = await connectRedis(target, { forWorker: true, timeoutMs: options.connectTimeoutMs });
  let queue: RunQueue | undefined;
  let worker: Worker | undefined;
  try {
    queue = await RunQueue.open({
      redis: target,
      queueName: options.queueName,
      prefix: options.prefix,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    const active = new ActiveJobs();
    worker = new Worker(
      options.queueName ?? RUN_QUEUE_NAME,
      (job) => active.track(processJob(job, options, log)),
      {
        connection,
        prefix: options.prefix,
        concurrency,
        lockDuration: timings.lockDurationMs,
        stalledInterval: timings.stalledIntervalMs,
        maxStalledCount: timings.maxStalledCount,
        autorun: true,
      },
    );
    reportProblems(worker, log);
    await worker.waitUntilReady();
    const sweep = { leases: options.runtime.store.leases, staleMs: Math.max(60_000, timings.lockDurationMs) };
    const requeued =
      options.requeueDue === false ? 0 : await queue.requeueDue(options.runtime.store.runs, sweep);
    const sweeper =
      options.requeueDue === false
        ? undefined
        : sweepEvery(
            timings.sweepIntervalMs,
            () => queue?.requeueDue(options.runtime.store.runs, sweep),
            log,
          );
    return handle(worker, queue, connection, { concurrency, timings, requeued }, sweeper, active, log);
  } catch (error) {
    await worker?.close(true).catch(() => {});
    await queue?.close().catch(() => {});
    connection.disconnect();
    throw error;
  }
}

/**
 * Runs `sweep` every `intervalMs` (never two at once), logging what it rescued or why it
 * could not look (the store or Redis away: the next sweep tries again).
 */
function sweepEvery(
  intervalMs: number,
  sweep: () => Promise<number> | undefined,
  log: (line: string) => void,
): NodeJS.Timeout {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.resolve()
      .then(sweep)
      .then((count) => {
        if (count) log(`sweep: ${count} due run(s) had no live job and were enqueued again`);
      })
      .catch((error: unknown) => log(`sweep: could not look for due runs: ${describe(error)}`))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return timer;
}

function handle(
  worker: Worker,
  queue: RunQueue,
  connection: Redis,
  facts: Pick<RunWorker, "concurrency" | "timings" | "requeued">,
  sweeper: NodeJS.Timeout | undefined,
  active: ActiveJobs,
  log: (line: string) => void,
): RunWorker {
  let closing: Promise<void> | undefined;
  return {
    worker,
    queue,
    ...facts,
    close() {
      clearInterval(sweeper);
      closing ??= (async () => {
        // Without force, BullMQ stops fetching and waits for the active jobs to finish. After
        // Redis restarted under it, BullMQ's close can wait forever for a connection that will
        // not answer (taskforcesh/bullmq#2430, #4656): once none of our jobs is active any
        // more, nothing is lost by not waiting, so the connections are cut after a grace.
        const closed = worker.close();
        const stuck = await settledOrIdle(closed, active, CLOSE_GRACE_MS);
        if (stuck) {
          log(
            `worker: BullMQ did not close within ${CLOSE_GRACE_MS / 1000} s of its last job; disconnecting`,
          );
          void closed.catch(() => {});
          worker.disconnect().catch(() => {});
          queue.bullQueue.disconnect().catch(() => {});
          connection.disconnect();
          return;
        }
        await queue.close();
        connection.disconnect();
      })();
      return closing;
    },
  };
}

/** How long a drain waits for BullMQ's own close once no job of this worker is active. */
const CLOSE_GRACE_MS = 10_000;

/** The jobs this process is running now: a drain is done once none is left. */
class ActiveJobs {
  #count = 0;
  get count(): number {
    return this.#count;
  }
  async track<T>(job: Promise<T>): Promise<T> {
    this.#count++;
    try {
      return await job;
    } finally {
      this.#count--;
    }
  }
}

/**
 * Resolves false once `closing` settles, or true when no job has been active for `graceMs`
 * while it has not (BullMQ waiting on a connection that will not answer).
 */
async function settledOrIdle(closing: Promise<void>, active: ActiveJobs, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<boolean>((resolve) => {
    let idleSince = active.count === 0 ? Date.now() : undefined;
    timer = setInterval(() => {
      if (active.count > 0) idleSince = undefined;
      else idleSince ??= Date.now();
      if (idleSince !== undefined && Date.now() - idleSince >= graceMs) resolve(true);
    }, 250);
  });
  try {
    return await Promise.race([closing.then(() => false), idle]);
  } finally {
    clearInterval(timer);
  }
}

async function processJob(
  job: Job,
  options: StartWorkerOptions,
  log: (line: string) => void,
): Promise<unknown> {
  const { runtime } = options;
  let run: RunRecord;
  let target: WorkerTarget;
  try {
    const { threadId } = parseRunJob(job.data, job.id);
    const stored = await runtime.store.runs.get(threadId);
    if (!stored) throw jobInvalid(job, `names thread ${threadId}, which is not a run in this store`);
    const found = await options.workflowFor(stored);
    if (!found)
      throw jobInvalid(
        job,
        `names run ${threadId} of workflow "${stored.workflow}", which this worker does not run`,
      );
    if (found.workflow.name !== stored.workflow) {
      throw jobInvalid(
        job,
        `names run ${threadId} of workflow "${stored.workflow}", but its source resolves to "${found.workflow.name}"`,
      );
    }
    run = stored;
    target = found;
  } catch (error) {
    throw await refused(job, error, options, log);
  }
  try {
    const outcome = await runtime.continue(target.workflow, run.threadId, target.options ?? {});
    options.onOutcome?.(outcome, job);
    return { threadId: run.threadId, status: outcome.status, error: outcome.error?.code };
  } catch (error) {
    if (error instanceof GovernorError && !RETRYABLE.has(error.code))
      throw await refused(job, error, options, log);
    log(
      `job ${job.id}: ${describe(error)}; retrying (attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`,
    );
    throw error;
  }
}

function jobInvalid(job: Job, why: string): GovernorError {
  return new GovernorError("JOB_INVALID", `Run job ${job.id} is refused: it ${why}; nothing was run`, {
    jobId: job.id,
  });
}

/**
 * A job that can never succeed: logged, audited (under the queue's own thread id), and
 * returned as BullMQ's UnrecoverableError so it is failed at once, never retried.
 */
async function refused(
  job: Job,
  error: unknown,
  options: StartWorkerOptions,
  log: (line: string) => void,
): Promise<UnrecoverableError> {
  const code = error instanceof GovernorError ? error.code : "JOB_INVALID";
  const message = describe(error);
  log(`job ${job.id} refused: ${message}`);
  try {
    await options.runtime.store.audit.append({
      threadId: QUEUE_AUDIT_THREAD,
      kind: "run",
      outcome: "refused",
      data: { code, message, jobId: job.id ?? null, queue: job.queueName },
    });
  } catch (auditError) {
    log(`job ${job.id}: the refusal could not be audited: ${describe(auditError)}`);
  }
  return new UnrecoverableError(`[${code}] ${message}`);
}

function describe(error: unknown): string {
  if (error instanceof GovernorError) return `[${error.code}] ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Redis going away makes ioredis report every reconnect attempt: one line per distinct problem. */
function reportProblems(worker: Worker, log: (line: string) => void): void {
  let last = "";
  worker.on("error", (error) => {
    const message = describe(error);
    if (message !== last) log(`worker: ${message}`);
    last = message;
  });
  worker.on("ready", () => {
    last = "";
  });
}
