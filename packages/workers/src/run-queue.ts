import type { RunRecord, RunStatus } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { answerSequence, jobIdFor, START_SEQUENCE, stateSequence } from "./job-id.js";
import type { RunJob } from "./job-payload.js";
import { leaseIsFree } from "./lease-probe.js";
import { connectRedis, parseRedisUrl, type RedisTarget } from "./redis-url.js";

/** The BullMQ queue Governor's runs go through, unless told otherwise. */
export const RUN_QUEUE_NAME = "governor-runs";

/** Where a queue lives: its Redis (a URL, as in REDIS_URL, or parsed) and its name. */
export interface RunQueueOptions {
  readonly redis: string | RedisTarget;
  /** Default "governor-runs". Workers and producers must agree on it. */
  readonly queueName?: string;
  /** BullMQ's key prefix. Default "bull". */
  readonly prefix?: string;
  /** How long the first connection may take. Default 5 s. */
  readonly connectTimeoutMs?: number;
}

type Awaitable<T> = T | Promise<T>;

/** The store reads the queue needs to tell which step of a run to enqueue (a RunStore has them). */
export interface RunStateReader {
  get(threadId: string): Awaitable<RunRecord | undefined>;
  answer(threadId: string): Awaitable<unknown>;
  list(status?: RunStatus): Awaitable<RunRecord[]>;
  /** The input a queued run was admitted with: set only for runs that came through the queue. */
  input?(threadId: string): Awaitable<unknown>;
}

/** Run leases (a LeaseStore has them): a sweep asks whether anyone drives a "running" run. */
export interface LeaseProbe {
  acquire(threadId: string, owner: string, now: number, ttlMs: number): Awaitable<boolean>;
  release(threadId: string, owner: string): Awaitable<void>;
}

/** What a sweep may also rescue: runs left "running" by a worker that is gone. */
export interface SweepOptions {
  /**
   * With leases, a run the queue admitted that is "running" while nobody holds its lease, and
   * has not moved for `staleMs`, is continued: its worker died and its job is spent (retries
   * or stalled rescues exhausted while Redis or the store was away). Runs started in a process
   * of their own (`governor run`) are never taken over: `governor recover` is for those.
   */
  readonly leases?: LeaseProbe;
  /** Default 60 s: a live driver renews its lease far more often than this. */
  readonly staleMs?: number;
}

/** Job states in which a job will still run: leave it be. */
const LIVE_JOB_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

/**
 * Retries are for the infrastructure (a store or Redis briefly away, another worker holding
 * the run): a run's own failure is an outcome, never a thrown error. Finished jobs are kept
 * for a day (a re-enqueue of the same step within it is a no-op) and bounded in number, so
 * Redis does not grow with every run ever made.
 */
const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 24 * 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
};

/**
 * The producer's side of the run queue: `governor run --queue`, `governor approve` with
 * REDIS_URL set, or a library caller after `runtime.admit(...)`.
 *
 * @example
 * const queue = await RunQueue.open({ redis: process.env.REDIS_URL });
 * const { threadId } = await runtime.admit(workflow, input, { source: "workflow:refund" });
 * await queue.enqueue(threadId);
 * await queue.close();
 */
export class RunQueue {
  readonly name: string;
  readonly #queue: Queue<RunJob>;
  readonly #connection: Redis;

  private constructor(connection: Redis, name: string, prefix: string | undefined) {
    this.name = name;
    this.#connection = connection;
    this.#queue = new Queue<RunJob>(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
    this.#queue.on("error", () => {});
  }

  /**
   * Connects (bounded: see connectRedis) and returns the queue.
   *
   * @throws {GovernorError} QUEUE_CONFIG_INVALID for a malformed URL; QUEUE_UNREACHABLE when Redis does not answer.
   */
  static async open(options: RunQueueOptions): Promise<RunQueue> {
    const target = typeof options.redis === "string" ? parseRedisUrl(options.redis) : options.redis;
    const connection = await connectRedis(target, { timeoutMs: options.connectTimeoutMs });
    return new RunQueue(connection, options.queueName ?? RUN_QUEUE_NAME, options.prefix);
  }

  /**
   * Puts one step of a run on the queue; the job carries only the thread id. The same
   * `(threadId, sequence)` twice is one job (see jobIdFor).
   *
   * @throws {GovernorError} QUEUE_UNREACHABLE when Redis does not take it.
   */
  async enqueue(threadId: string, sequence: string = START_SEQUENCE): Promise<{ jobId: string }> {
    const jobId = jobIdFor(threadId, sequence);
    try {
      await this.#queue.add("run", { threadId }, { jobId });
    } catch (error) {
      throw new GovernorError(
        "QUEUE_UNREACHABLE",
        `Could not enqueue run ${threadId}: ${error instanceof Error ? error.message : String(error)}`,
        { threadId, jobId },
        { cause: error },
      );
    }
    return { jobId };
  }

  /**
   * Enqueues the step the store says a run is at: a queued run's start, a waiting run's stored
   * answer. What `governor approve` calls after `runtime.queueDecision(...)`.
   *
   * @throws {GovernorError} RUN_NOT_FOUND for an unknown thread.
   */
  async enqueueFromStore(runs: RunStateReader, threadId: string): Promise<{ jobId: string }> {
    const run = await runs.get(threadId);
    if (!run) throw new GovernorError("RUN_NOT_FOUND", `No run with thread id ${threadId}`, { threadId });
    if (run.status === "queued") return this.enqueue(threadId, START_SEQUENCE);
    const answer = run.status === "waiting" ? await runs.answer(threadId) : undefined;
    if (answer !== undefined && answer !== null) return this.enqueue(threadId, answerSequence(answer));
    return this.enqueue(threadId, stateSequence(run.status, run.updatedAt));
  }

  /**
   * Makes sure every run the store says is due has a job that will run: queued runs, waiting
   * runs with an answer, and (with `sweep.leases`) queue-admitted runs left "running" by a dead
   * worker. Workers do this when they start and then every sweep interval, so no run is
   * stranded: not one admitted while Redis was down, not one whose job a Redis without
   * persistence lost, and not one whose job failed for good (retries exhausted while the store
   * or Redis was away, or rescued from stalled workers too often) while the store still says
   * it is due. A live job is never doubled; a spent one for a step still due is run again.
   *
   * @returns how many steps were (re-)enqueued.
   */
  async requeueDue(runs: RunStateReader, sweep: SweepOptions = {}): Promise<number> {
    let count = 0;
    // A run listed as due may move on while the sweep looks at its job: a spent job is only
    // replaced while the store still says the run is where the listing found it.
    const unchanged = (listed: RunRecord) => async () => {
      const now = await runs.get(listed.threadId);
      return now?.status === listed.status && now.updatedAt === listed.updatedAt;
    };
    for (const run of await runs.list("queued")) {
      if (await this.#ensureJob(run.threadId, START_SEQUENCE, unchanged(run))) count++;
    }
    for (const run of await runs.list("waiting")) {
      const answer = await runs.answer(run.threadId);
      if (answer === undefined || answer === null) continue;
      if (await this.#ensureJob(run.threadId, answerSequence(answer), unchanged(run))) count++;
    }
    if (sweep.leases && runs.input) {
      const staleBefore = Date.now() - (sweep.staleMs ?? 60_000);
      for (const run of await runs.list("running")) {
        if (Date.parse(run.updatedAt) > staleBefore) continue;
        const admitted = await runs.input(run.threadId);
        if (admitted === undefined || admitted === null) continue;
        if (!(await leaseIsFree(sweep.leases, run.threadId))) continue;
        if (await this.#ensureJob(run.threadId, stateSequence(run.status, run.updatedAt), unchanged(run)))
          count++;
      }
    }
    return count;
  }

  /**
   * Adds the step's job unless a live one exists; a finished or failed job for a step the
   * store still says is due is removed and added again (BullMQ keeps finished jobs, and an
   * add with a kept job's id is silently dropped).
   *
   * @returns whether a job was added.
   */
  async #ensureJob(threadId: string, sequence: string, stillDue: () => Promise<boolean>): Promise<boolean> {
    const jobId = jobIdFor(threadId, sequence);
    const existing = await this.#queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (LIVE_JOB_STATES.has(state) || !(await stillDue())) return false;
      // Another worker's sweep may have removed it a moment ago, or a worker holds it: then
      // the add below is a no-op or the job is live again, both fine.
      await existing.remove().catch(() => undefined);
    }
    await this.enqueue(threadId, sequence);
    return true;
  }

  /** Jobs not yet finished, by state: for tests, benchmarks and `governor status`. */
  async counts(): Promise<Record<string, number>> {
    return this.#queue.getJobCounts("wait", "active", "delayed", "completed", "failed", "prioritized");
  }

  /** The BullMQ queue itself, for operators' tooling (and tests that add jobs by hand). */
  get bullQueue(): Queue<RunJob> {
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue.close();
    this.#connection.disconnect();
  }
}
