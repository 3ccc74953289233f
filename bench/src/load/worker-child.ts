/**
 * One worker process of the PostgreSQL load: opens the store, starts a BullMQ worker on the
 * run queue, and runs every job it is handed. Started by postgres-load.ts with an IPC channel:
 * it sends `{ type: "ready" }` once the worker listens, `{ type: "progress", ended }` as runs
 * end, and on `{ type: "report" }` drains, then prints one line of WorkerReport JSON and exits.
 */
import "../v8-workaround.js";
import { GovernorRuntime } from "@governor/core";
import { openPostgresStore } from "@governor/store-postgres";
import { startWorker } from "@governor/workers";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { countError, errorKind } from "./error-kinds.js";
import { type LoadRequest, workloadFor } from "./load-request.js";
import { ResourceSampler } from "./resource-sampler.js";
import { SessionClock } from "./session-clock.js";

/** What the parent asks a worker process to do. */
export interface WorkerRequest {
  readonly load: LoadRequest;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queueName: string;
  readonly concurrency: number;
  /** Where the store's development keys are: the same for every process, so tokens verify anywhere. */
  readonly keysDir: string;
}

/** What a worker process did, for the parent to add up. */
export interface WorkerReport {
  readonly pid: number;
  readonly completed: number;
  readonly waiting: number;
  readonly errors: Record<string, number>;
  readonly examples: string[];
  /** The worker's log lines that are not failures, by kind (see queueEventKind). */
  readonly queueEvents: Record<string, number>;
  /** The thread of every run a job of this worker moved on (a job handed to two workers shows twice across workers). */
  readonly endedThreads: string[];
  /** Orchestration time of every turn it drove (see SessionClock.turnOverheads), in ms. */
  readonly turns: number[];
  /** Model time of every session it drove, in ms. */
  readonly modelMs: number[];
  /** From taking a job to having it enqueued (job.processedOn − job.timestamp), in ms. */
  readonly queueWaits: number[];
  /** This process's CPU from the moment it was ready to the report, and its peak RSS. */
  readonly cpuMs: number;
  readonly peakRssMb: number;
  /** Idempotency keys of the handler calls it made. */
  readonly handlerKeys: readonly string[];
}

function queueEventKind(line: string): string {
  if (/could not renew lock/i.test(line)) return "lock-renewal-failed";
  if (/lock mismatch|missing lock/i.test(line)) return "lock-lost";
  if (/retrying/.test(line)) return "job-retried";
  return "other";
}

const request = JSON.parse(process.argv[2] ?? "{}") as WorkerRequest;
const clocks = new Map<string, SessionClock>();
const sessionOfThread = (threadId: string) => Number(threadId.slice(threadId.lastIndexOf("-") + 1));
// A worker's runs are not started inside an AsyncLocalStorage of ours: the model finds the
// session by the thread id LangChain carries in the call's config.
const workload = workloadFor(request.load, () => {
  const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as
    | { configurable?: { thread_id?: string } }
    | undefined;
  const threadId = config?.configurable?.thread_id;
  return threadId === undefined ? undefined : clocks.get(threadId);
});
const store = await openPostgresStore({ url: request.databaseUrl, dir: request.keysDir });
const runtime = new GovernorRuntime({ store });
// Warm, as the SQLite load is: code compiled and the graph cached before the first job, outside
// any session (the model does not record it) and outside the handlers' count.
for (let i = 0; i < 2; i++) {
  const { threadId } = await runtime.admit(workload.workflow, workload.input(i), {
    threadId: `warm-${process.pid}-${i}`,
    source: workload.workflow.name,
    model: workload.model,
  });
  await runtime.continue(workload.workflow, threadId, { model: workload.model });
}
const warmEffects = workload.effects().length;
const errors: Record<string, number> = {};
// What the queue reported that is not a session failing: a job's lock not renewed in time (the
// event loop too busy), a job handed to another worker, a retry.
const queueEvents: Record<string, number> = {};
const endedThreads: string[] = [];
const examples: string[] = [];
const queueWaits: number[] = [];
let completed = 0;
let waiting = 0;
let ended = 0;
const sampler = new ResourceSampler();
const worker = await startWorker({
  runtime: runtime as unknown as Parameters<typeof startWorker>[0]["runtime"],
  redis: request.redisUrl,
  queueName: request.queueName,
  concurrency: request.concurrency,
  requeueDue: false,
  // Refused jobs never reach onOutcome, and retries are worth seeing: both counted from the log.
  log: (line) => {
    if (/ refused: /.test(line)) {
      countError(errors, "job-refused");
      if (examples.length < 5) examples.push(line);
    } else countError(queueEvents, queueEventKind(line));
  },
  workflowFor: (run) => {
    if (run.workflow !== workload.workflow.name) return undefined;
    if (!clocks.has(run.threadId)) clocks.set(run.threadId, new SessionClock(sessionOfThread(run.threadId)));
    return { workflow: workload.workflow, options: { model: workload.model } };
  },
  onOutcome: (outcome, job) => {
    clocks.get(outcome.threadId)?.end();
    endedThreads.push(outcome.threadId);
    if (job.processedOn !== undefined) queueWaits.push(job.processedOn - job.timestamp);
    const expected = workload.expected(sessionOfThread(outcome.threadId));
    if (outcome.status === expected) {
      if (expected === "completed") completed++;
      else waiting++;
    } else {
      const error =
        outcome.error ?? new Error(`run ${outcome.threadId} ended ${outcome.status}, expected ${expected}`);
      countError(errors, errorKind(error));
      if (examples.length < 5) examples.push(`${outcome.threadId}: ${error.message}`);
    }
    sampler.sample();
    if (++ended % 100 === 0) process.send?.({ type: "progress", ended });
  },
});
const cpu = process.cpuUsage();
process.send?.({ type: "ready" });

process.on("message", async (message: { type?: string }) => {
  if (message?.type !== "report") return;
  await worker.close();
  const used = process.cpuUsage(cpu);
  const finished = [...clocks.values()].filter((clock) => Number.isFinite(clock.endedAt));
  const report: WorkerReport = {
    pid: process.pid,
    completed,
    waiting,
    errors,
    examples,
    queueEvents,
    endedThreads,
    turns: finished.flatMap((clock) => clock.turnOverheads()),
    modelMs: finished.map((clock) => clock.modelMs()),
    queueWaits,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMb: sampler.stop(),
    handlerKeys: workload.effects().slice(warmEffects),
  };
  await store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
});
