import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { refundSample } from "@governor/sample-refund";
import { pollUntil, type RedisServer, startRedis } from "@governor/testing-services";
import { RunQueue } from "@governor/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName, testRuntime } from "./support/queue-fixtures.js";
import { endWorkers, governorWorker } from "./support/worker-processes.js";

// Redis restarting under load loses no run, and runs none twice. BullMQ keeps jobs only in Redis, so Redis must
// persist them: an append-only file (appendonly yes; appendfsync always here, everysec in
// most deployments, which can lose the last second of enqueues, which the worker's start-up
// sweep of queued runs then re-enqueues). The store, not Redis, says what each run is at.

const RUNS = 24;
/** Admission compiles the workflow, which names a model; nothing calls it in this process. */
const model = new ScenarioChatModel(refundSample.scenario);
let redis: RedisServer;
let dir: string;
let runtime: GovernorRuntime;

beforeAll(async () => {
  redis = await startRedis({ appendonly: true });
  dir = mkdtempSync(join(tmpdir(), "governor-redis-restart-"));
  runtime = await testRuntime(dir);
});
afterAll(async () => {
  await endWorkers();
  await runtime?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function statuses(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const run of await runtime.store.runs.list()) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}

describe("Redis restarting mid-load", () => {
  it("every admitted run still reaches completed or waiting, none twice", async () => {
    const queue = queueName("restart");
    const cases = refundSample.cases.filter((c) => c.name === "small-refund" || c.name === "large-refund");
    const producer = await RunQueue.open({ redis: redis.url, queueName: queue });
    const threads: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const sampleCase = cases[i % cases.length];
        if (!sampleCase) throw new Error("no case");
        const { threadId } = await runtime.admit(refundSample.workflow, sampleCase.input, {
          threadId: `restart-${i}`,
          source: "sample:refund",
          model,
        });
        await producer.enqueue(threadId);
        threads.push(threadId);
      }
    } finally {
      await producer.close();
    }

    // Every job is in Redis and none has been taken yet: a restart now must lose none of them.
    expect((await statuses()).queued).toBe(RUNS);
    await redis.kill();
    await redis.restart();

    const worker = governorWorker(["--concurrency", "4"], {
      REDIS_URL: redis.url,
      GOVERNOR_QUEUE: queue,
      GOVERNOR_DIR: dir,
      GOVERNOR_WORKER_LOCK_MS: "8000",
      GOVERNOR_WORKER_STALLED_MS: "2000",
      // A job spent while Redis was away (retries or stalled rescues exhausted) leaves its run
      // due in the store: the worker's sweep finds it and enqueues it again.
      GOVERNOR_WORKER_SWEEP_MS: "2000",
    });
    await worker.ready();
    // And again while the worker is taking them. How far it got by then depends on the
    // machine's speed, so nothing is asserted about that moment, only about the end.
    await pollUntil("the first run finished", async () => (await statuses()).queued !== RUNS, 120_000);
    await redis.kill();
    await redis.restart();

    await pollUntil(
      `all ${RUNS} runs completed or waiting`,
      async () => {
        const counts = await statuses();
        return (counts.completed ?? 0) + (counts.waiting ?? 0) === RUNS;
      },
      240_000,
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; runs by status: ${JSON.stringify(await statuses())}\nworker stderr:\n${worker.err().slice(-4_000)}`,
      );
    });
    const counts = await statuses();
    expect(counts).toEqual({ completed: RUNS / 2, waiting: RUNS / 2 });
    // None ran twice. A small run's refund executed once, unless it came to the refund while
    // Redis was down: the call limits shared through Redis could not be asked, so the call
    // was refused (limits-unavailable, fail closed) and never made. A large run waits.
    for (const threadId of threads) {
      const records = await runtime.store.audit.list(threadId);
      const trail = records.map((r) => `${r.kind}:${r.outcome}${r.tool ? `:${r.tool}` : ""}`).join(" ");
      const executions = records.filter((r) => r.kind === "execution").map((r) => r.outcome);
      expect(
        records.filter((r) => r.kind === "run" && r.outcome === "started"),
        trail,
      ).toHaveLength(1);
      if (Number(threadId.split("-")[1]) % 2 === 0) {
        expect([["executed"], ["limits-unavailable"]], `${threadId}: ${trail}`).toContainEqual(executions);
      } else {
        expect(executions, `${threadId}: ${trail}`).toEqual([]);
      }
    }
    worker.signal("SIGTERM");
    expect((await worker.exitedWithin()).code, worker.err()).toBe(0);
    // Start (up to 2 min on a loaded host), the first run, then every run: the sum of the waits above.
  }, 600_000);
});
