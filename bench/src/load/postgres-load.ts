import { type ChildProcess, execFile, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { GovernorRuntime } from "@governor/core";
import { openPostgresStore } from "@governor/store-postgres";
import { type PostgresServer, type RedisServer, startPostgres, startRedis } from "@governor/testing-services";
import { RunQueue } from "@governor/workers";
import { scratchDir } from "../scratch-dir.js";
import { quantile } from "../stats.js";
import { siblingScript } from "./child-process.js";
import { checkIntegrity } from "./integrity.js";
import type { LoadMeasurement } from "./load-measurement.js";
import { type LoadRequest, workloadFor } from "./load-request.js";
import { summarizeTurns } from "./overhead-summary.js";
import { hostBusyShare, hostCpuMs, postgresCpuMs, redisCpuMsFromInfo } from "./process-cpu.js";
import type { WorkerReport, WorkerRequest } from "./worker-child.js";

/** Runs admitted and enqueued at once while the workers already run (a producer's pace, not one by one). */
const ADMIT_BATCH = 100;
const runFile = promisify(execFile);
/** A load that makes no progress for this long has lost runs: stop waiting and report them. */
const STALL_MS = 5 * 60_000;

let services: Promise<{ postgres: PostgresServer; redis: RedisServer }> | undefined;

/** The bench's own PostgreSQL and redis-server, started on first use and kept for every load. */
function servicesOnce() {
  services ??= (async () => ({ postgres: await startPostgres(), redis: await startRedis() }))();
  return services;
}

/** Stops the servers the loads started (their data dirs go with them). */
export async function stopServices(): Promise<void> {
  if (!services) return;
  const { postgres, redis } = await services;
  services = undefined;
  await redis.stop();
  await postgres.stop();
}

/**
 * One load on PostgreSQL + BullMQ: a fresh database and queue, `workers` worker processes
 * (each a BullMQ worker of `concurrency` jobs), then this process admits every session
 * (`runtime.admit`, the run recorded as queued) and enqueues it, as a producer would, while
 * the workers drain the queue. Wall time runs from the first admission to the queue's last
 * job; CPU is the workers' own (their rusage as they report it), plus this producer's, with
 * PostgreSQL's and Redis's beside it.
 *
 * @throws {Error} when a worker process fails to start or report.
 */
export async function measurePostgresLoad(
  load: LoadRequest,
  workers: number,
  concurrency: number,
): Promise<LoadMeasurement> {
  const { postgres, redis } = await servicesOnce();
  const databaseUrl = await postgres.createDatabase(
    `load_${load.workload.replace("-", "_")}_${workers}_${Date.now()}`,
  );
  const keys = scratchDir("load-keys");
  const queueName = `load-${load.workload}-${workers}-${Date.now()}`;
  const store = await openPostgresStore({ url: databaseUrl, dir: keys.path });
  const runtime = new GovernorRuntime({ store });
  const queue = await RunQueue.open({ redis: redis.url, queueName });
  const workload = workloadFor(load);
  const request: WorkerRequest = {
    load,
    databaseUrl,
    redisUrl: redis.url,
    queueName,
    concurrency,
    keysDir: keys.path,
  };
  const children = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(request)));
  try {
    const redisCpu = async () =>
      redisCpuMsFromInfo((await runFile("redis-cli", ["-u", redis.url, "info", "cpu"])).stdout);
    const databaseBefore = postgresCpuMs(postgres.dataDir);
    const queueBefore = await redisCpu();
    const host = hostCpuMs();
    const producerCpu = process.cpuUsage();
    const started = performance.now();
    const threadIds = Array.from({ length: load.sessions }, (_, i) => `load-${i}`);
    for (let from = 0; from < threadIds.length; from += ADMIT_BATCH) {
      await Promise.all(
        threadIds.slice(from, from + ADMIT_BATCH).map(async (threadId, offset) => {
          const admitted = await runtime.admit(workload.workflow, workload.input(from + offset), {
            threadId,
            source: workload.workflow.name,
            // Admission compiles the workflow (an invalid one is refused before any run is recorded).
            model: workload.model,
          });
          await queue.enqueue(admitted.threadId);
        }),
      );
    }
    const used = process.cpuUsage(producerCpu);
    await drained(queue, children);
    const wallMs = performance.now() - started;
    const hostBusy = hostBusyShare(host, hostCpuMs());
    const databaseCpuMs = postgresCpuMs(postgres.dataDir) - databaseBefore;
    const queueCpuMs = (await redisCpu()) - queueBefore;
    const reports = await Promise.all(children.map((child) => child.report()));
    const integrity = await checkIntegrity({
      stores: store,
      threadIds,
      expected: workload.expected,
      handlerKeys: reports.flatMap((r) => r.handlerKeys),
      duplicatedEffectRows: async () =>
        Number((await store.pool.query("SELECT COUNT(*) - COUNT(DISTINCT key) AS n FROM effects")).rows[0].n),
    });
    const errors: Record<string, number> = {};
    for (const report of reports)
      for (const [kind, n] of Object.entries(report.errors)) errors[kind] = (errors[kind] ?? 0) + n;
    const queueEvents: Record<string, number> = {};
    for (const report of reports)
      for (const [kind, n] of Object.entries(report.queueEvents))
        queueEvents[kind] = (queueEvents[kind] ?? 0) + n;
    const ended = reports.flatMap((r) => r.endedThreads);
    const workerCpuMs = reports.reduce((sum, r) => sum + r.cpuMs, 0);
    const producerCpuMs = (used.user + used.system) / 1000;
    const cpuMs = workerCpuMs + producerCpuMs;
    const waits = reports.flatMap((r) => r.queueWaits).sort((a, b) => a - b);
    const modelMs = reports.flatMap((r) => r.modelMs);
    return {
      workload: load.workload,
      backend: "postgres",
      workers,
      sessions: load.sessions,
      rampMs: 0,
      // From the store, not the workers' outcomes: a job handed to a second worker ends twice.
      completed: integrity.statuses.completed ?? 0,
      waiting: integrity.statuses.waiting ?? 0,
      errors,
      queueEvents,
      redeliveredJobs: ended.length - new Set(ended).size,
      examples: reports.flatMap((r) => r.examples).slice(0, 5),
      wallMs,
      runsPerSecond: (load.sessions * 1000) / wallMs,
      overhead: summarizeTurns(
        reports.flatMap((r) => r.turns),
        modelMs.reduce((sum, ms) => sum + ms, 0) / (modelMs.length || 1),
      ),
      cpuMs,
      cpuPerRunMs: cpuMs / load.sessions,
      databaseCpuMs,
      queueCpuMs,
      machineCpuShare: (cpuMs + databaseCpuMs + queueCpuMs) / (wallMs * availableParallelism()),
      hostBusyShare: hostBusy,
      queueWaitP50Ms: quantile(waits, 0.5),
      queueWaitP95Ms: quantile(waits, 0.95),
      peakRssMb: Math.max(...reports.map((r) => r.peakRssMb)),
      totalPeakRssMb: reports.reduce((sum, r) => sum + r.peakRssMb, 0),
      integrity,
    };
  } finally {
    for (const child of children) child.kill();
    await queue.close();
    await store.close();
    keys.dispose();
  }
}

interface WorkerProcess {
  /** Runs ended so far in that worker (its latest progress message). */
  ended(): number;
  report(): Promise<WorkerReport>;
  kill(): void;
}

/** Spawns one worker process and waits until its BullMQ worker listens. */
function startWorkerProcess(request: WorkerRequest): Promise<WorkerProcess> {
  const { file, execArgv } = siblingScript("worker-child");
  const child: ChildProcess = spawn(process.execPath, [...execArgv, file, JSON.stringify(request)], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  let out = "";
  let ended = 0;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    child.on("message", (message: { type?: string; ended?: number }) => {
      if (message.type === "progress") ended = message.ended ?? ended;
      if (message.type !== "ready") return;
      resolve({
        ended: () => ended,
        async report() {
          child.send({ type: "report" });
          const code = await exited;
          const line = out.trim().split("\n").at(-1) ?? "";
          if (code !== 0) throw new Error(`worker ${child.pid} exited with ${code}: ${line.slice(0, 300)}`);
          return JSON.parse(line) as WorkerReport;
        },
        kill: () => {
          if (child.exitCode === null) child.kill("SIGKILL");
        },
      });
    });
    void exited.then((code) =>
      reject(new Error(`worker ${child.pid} exited with ${code} before it was ready`)),
    );
  });
}

/**
 * Waits until the queue has nothing left to run (no job waiting, active or delayed, twice in a
 * row), or until nothing has moved for STALL_MS: the integrity check then counts what was lost.
 */
async function drained(queue: RunQueue, workers: readonly WorkerProcess[]): Promise<void> {
  let lastMoved = performance.now();
  let lastEnded = -1;
  let emptyPolls = 0;
  while (emptyPolls < 2) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = await queue.counts();
    const pending =
      (counts.wait ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
    emptyPolls = pending === 0 ? emptyPolls + 1 : 0;
    const ended = workers.reduce((sum, w) => sum + w.ended(), 0);
    if (ended !== lastEnded) {
      lastEnded = ended;
      lastMoved = performance.now();
    } else if (performance.now() - lastMoved > STALL_MS) {
      process.stderr.write(
        `load: no run ended for ${STALL_MS / 1000} s with ${pending} jobs pending; stopping\n`,
      );
      return;
    }
  }
}
