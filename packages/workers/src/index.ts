/**
 * Governor's runs on a BullMQ queue: producers enqueue a thread id (`RunQueue`), workers
 * (`startWorker`, `governor worker`) move the run on from what the store says.
 */
export { drainOnSignals } from "./drain-on-signals.js";
export { answerSequence, jobIdFor, START_SEQUENCE, stateSequence } from "./job-id.js";
export { parseRunJob, type RunJob, runJobSchema } from "./job-payload.js";
export { type ConnectRedisOptions, connectRedis, parseRedisUrl, type RedisTarget } from "./redis-url.js";
export { RUN_QUEUE_NAME, RunQueue, type RunQueueOptions, type RunStateReader } from "./run-queue.js";
export {
  type RunWorker,
  type StartWorkerOptions,
  startWorker,
  type WorkerRuntime,
  type WorkerTarget,
} from "./run-worker.js";
export { DEFAULT_TIMINGS, parseConcurrency, timingsFromEnv, type WorkerTimings } from "./worker-settings.js";
