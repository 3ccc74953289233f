import type { RunOutcome, RunRecord, Workflow } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { freePort, pollUntil, type RedisServer, startRedis } from "@governor/testing-services";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  answerSequence,
  connectRedis,
  jobIdFor,
  parseRedisUrl,
  RunQueue,
  type RunWorker,
  startWorker,
  type WorkerRuntime,
} from "../src/index.js";

// The queue and worker lifecycle on a real redis-server, with a runtime whose `continue`
// records what it was asked (the runtime's own behaviour is tested with real runs in
// apps/cli/test/worker*.test.ts). Each test uses its own queue name.

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const workflow = { name: "refund" } as Workflow;

/** A store of runs in memory, and a continue() that records each call (optionally held until released). */
function recordingRuntime(runs: RunRecord[], answers: Record<string, unknown> = {}) {
  const continued: string[] = [];
  const audited: Record<string, unknown>[] = [];
  let hold: Promise<void> | undefined;
  let release = () => {};
  const runtime: WorkerRuntime = {
    store: {
      runs: {
        get: (threadId) => runs.find((run) => run.threadId === threadId),
        answer: (threadId) => answers[threadId],
        list: (status) => runs.filter((run) => status === undefined || run.status === status),
      },
      audit: { append: (entry) => audited.push(entry) },
    },
    async continue(_workflow, threadId) {
      continued.push(threadId);
      await hold;
      // As the real runtime does, a continued run moves on in the store: it is no longer due.
      const at = runs.findIndex((stored) => stored.threadId === threadId);
      if (at >= 0)
        runs[at] = { ...(runs[at] as RunRecord), status: "completed", updatedAt: new Date().toISOString() };
      return { threadId, status: "completed", state: {} } satisfies RunOutcome;
    },
  };
  return {
    runtime,
    continued,
    audited,
    holdJobs() {
      hold = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
}

function run(threadId: string, status: RunRecord["status"] = "queued", name = "refund"): RunRecord {
  const at = new Date().toISOString();
  return {
    threadId,
    workflow: name,
    source: `sample:${name}`,
    status,
    principal: { id: "agent:support" } as RunRecord["principal"],
    createdAt: at,
    updatedAt: at,
  };
}

async function worker(
  runtime: WorkerRuntime,
  queueName: string,
  extra: { concurrency?: number; requeueDue?: boolean } = {},
): Promise<RunWorker> {
  const started = await startWorker({
    runtime,
    redis: redis.url,
    queueName,
    workflowFor: (stored) => (stored.workflow === workflow.name ? { workflow } : undefined),
    log: () => {},
    ...extra,
  });
  open.push(started);
  return started;
}

async function queue(queueName: string): Promise<RunQueue> {
  const opened = await RunQueue.open({ redis: redis.url, queueName });
  open.push(opened);
  return opened;
}

describe("REDIS_URL", () => {
  it("refuses a malformed URL naming REDIS_URL and what is wrong, never the password", () => {
    const attempt = (raw: string | undefined) => {
      try {
        parseRedisUrl(raw);
        return "accepted";
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
    };
    expect(attempt(undefined)).toMatch(/^QUEUE_CONFIG_INVALID: REDIS_URL is not set/);
    expect(attempt("localhost:6379")).toMatch(/REDIS_URL has scheme "localhost", not redis/);
    expect(attempt("http://h:1")).toMatch(/scheme "http"/);
    expect(attempt("redis://:s3cret@h:99999")).toMatch(/REDIS_URL is not a URL|port/);
    expect(attempt("redis://:s3cret@h:99999")).not.toContain("s3cret");
    expect(attempt("redis://h/x")).toMatch(/database "x"/);
    expect(parseRedisUrl("redis://:pw@cache.internal:6380/2").shown).toBe("cache.internal:6380/2");
  });

  it("names host:port and REDIS_URL when nothing answers, within the timeout, without the password", async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await connectRedis(parseRedisUrl(`redis://:hunter2@127.0.0.1:${port}`), {
      timeoutMs: 3_000,
    }).catch((e) => e);
    expect(error.code).toBe("QUEUE_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${port} (REDIS_URL)`);
    expect(error.message).not.toContain("hunter2");
    // Bounded: not ioredis' default of retrying forever (generous for a loaded host).
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("RunQueue", () => {
  it("keeps one job per (thread, step): a duplicate is dropped, a later step is a new job", async () => {
    const runs = [run("t-1"), run("t-2", "waiting")];
    const q = await queue("dedupe");
    await q.enqueue("t-1");
    await q.enqueue("t-1");
    await q.enqueueFromStore({ ...recordingRuntime(runs).runtime.store.runs }, "t-1");
    expect((await q.counts()).wait).toBe(1);
    await q.enqueue("t-1", answerSequence({ token: "a" }));
    await q.enqueue("t-1", answerSequence({ token: "a" }));
    expect((await q.counts()).wait).toBe(2);
    expect(jobIdFor("a:b/c", "start")).toBe("a%3Ab%2Fc.start");
  });

  it("answers hash the same whatever the key order a store hands back", () => {
    expect(answerSequence({ a: 1, b: { c: 2, d: 3 } })).toBe(answerSequence({ b: { d: 3, c: 2 }, a: 1 }));
    expect(answerSequence({ token: "x" })).not.toBe(answerSequence({ token: "y" }));
  });
});

describe("startWorker", () => {
  it("continues each enqueued run once, and on start enqueues runs the store says are due", async () => {
    const runs = [
      run("q-1"),
      run("q-2"),
      run("w-1", "waiting"),
      run("w-2", "waiting"),
      run("done", "completed"),
    ];
    const recording = recordingRuntime(runs, { "w-1": { token: "signed" } });
    const q = await queue("due");
    await q.enqueue("q-1");
    const started = await worker(recording.runtime, "due");
    // q-2 (queued in the store only) and w-1 (waiting with an answer); q-1 has its job already.
    expect(started.requeued).toBe(2);
    await pollUntil("three runs continued", () => recording.continued.length === 3, 60_000);
    expect([...recording.continued].sort()).toEqual(["q-1", "q-2", "w-1"]);
    await pollUntil("jobs completed", async () => (await q.counts()).completed === 3, 60_000);
  });

  it("refuses tampered jobs (extra fields, bogus thread, another workflow's run) with JOB_INVALID, runs nothing, audits each", async () => {
    const runs = [run("mine"), run("theirs", "queued", "payroll")];
    const recording = recordingRuntime(runs);
    const started = await worker(recording.runtime, "tampered", { concurrency: 2, requeueDue: false });
    const raw = new Queue("tampered", { connection: { host: "127.0.0.1", port: redis.port } });
    open.push(raw);
    await raw.add("run", { threadId: "mine", input: { amount: 1_000_000 } }, { jobId: "extra-fields" });
    await raw.add("run", { threadId: "no-such-thread" }, { jobId: "bogus-thread" });
    await raw.add("run", { threadId: "theirs" }, { jobId: "other-workflow" });
    await raw.add("run", "mine", { jobId: "not-an-object" });
    await pollUntil("four jobs failed", async () => (await raw.getJobCounts("failed")).failed >= 4, 50_000);
    expect(recording.continued).toEqual([]);
    const failed = await raw.getFailed();
    for (const job of failed) {
      expect(job.failedReason).toMatch(/^\[JOB_INVALID\]/);
      // Failed for good: not retried.
      expect(job.attemptsMade).toBeLessThanOrEqual(1);
    }
    const reasons = Object.fromEntries(failed.map((job) => [job.id, job.failedReason]));
    expect(reasons["extra-fields"]).toContain('Unrecognized key: "input"');
    expect(reasons["bogus-thread"]).toContain("not a run in this store");
    expect(reasons["other-workflow"]).toContain('workflow "payroll", which this worker does not run');
    expect(recording.audited).toHaveLength(4);
    expect(recording.audited[0]).toMatchObject({
      threadId: "governor:queue",
      kind: "run",
      outcome: "refused",
    });
    expect(started.worker.isRunning()).toBe(true);
  });

  it("a drain after Redis restarted under an idle worker ends", async () => {
    const restarting = await startRedis({ appendonly: true });
    try {
      const started = await startWorker({
        runtime: recordingRuntime([]).runtime,
        redis: restarting.url,
        queueName: "restarted-idle",
        requeueDue: false,
        workflowFor: () => ({ workflow }),
        log: () => {},
      });
      await restarting.kill();
      await restarting.restart();
      // BullMQ's own close then sometimes waits on its blocking connection for good
      // (taskforcesh/bullmq#2430, seen as a worker that never exited on SIGTERM), and sometimes
      // closes at once: either way the drain ends (the test's timeout says when it would not).
      await started.close();
    } finally {
      await restarting.stop();
    }
  });

  it("a drain whose BullMQ close never settles cuts the connections once no job has been active for 10 s", async () => {
    // A Redis of its own: every client connected to it but the test's is the worker's.
    const own = await startRedis();
    const observer = new Redis(own.url, { maxRetriesPerRequest: 1 });
    const others = async () =>
      String(await observer.client("LIST"))
        .trim()
        .split("\n").length - 1;
    const lines: string[] = [];
    try {
      const started = await startWorker({
        runtime: recordingRuntime([]).runtime,
        redis: own.url,
        queueName: "close-hangs",
        requeueDue: false,
        workflowFor: () => ({ workflow }),
        log: (line) => lines.push(line),
      });
      expect(await others()).toBeGreaterThan(0);
      // What bullmq#2430 looks like from here: BullMQ starts closing (it takes no new job) and
      // its promise never settles. Not whether BullMQ hangs (it does not every time), but what
      // the drain then does, is under test.
      const realClose = started.worker.close.bind(started.worker);
      started.worker.close = (force?: boolean) => {
        void realClose(force).catch(() => undefined);
        return new Promise<void>(() => {});
      };
      await started.close();
      expect(lines.join("\n")).toContain("did not close within 10 s of its last job; disconnecting");
      await pollUntil("the worker's connections closed", async () => (await others()) === 0, 30_000);
    } finally {
      observer.disconnect();
      await own.stop();
    }
  });

  it("after Redis restarted under an idle worker, it still takes jobs", async () => {
    const restarting = await startRedis({ appendonly: true });
    try {
      const recording = recordingRuntime([run("after-restart")]);
      const started = await startWorker({
        runtime: recording.runtime,
        redis: restarting.url,
        queueName: "restarted",
        requeueDue: false,
        workflowFor: () => ({ workflow }),
        log: () => {},
      });
      open.push(started);
      await restarting.kill();
      await restarting.restart();
      const producer = await RunQueue.open({ redis: restarting.url, queueName: "restarted" });
      await producer.enqueue("after-restart");
      await producer.close();
      await pollUntil(
        "the job enqueued after the restart is taken",
        () => recording.continued.length === 1,
        60_000,
      );
      await started.close();
    } finally {
      await restarting.stop();
    }
  });

  it("sweeps the store: a due run whose job failed for good runs again; a queue-admitted run a dead worker left running is continued once its lease is free", async () => {
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const orphan = { ...run("orphan", "running"), updatedAt: longAgo };
    const driven = { ...run("driven", "running"), updatedAt: longAgo };
    const local = { ...run("local", "running"), updatedAt: longAgo };
    const runs = [run("spent"), orphan, driven, local];
    const recording = recordingRuntime(runs);
    // "orphan" and "driven" came through the queue (their input is kept); "local" was started
    // by `governor run` in a process of its own, which a worker never takes over.
    const inputs: Record<string, unknown> = { spent: {}, orphan: {}, driven: {} };
    const held = new Set(["driven"]);
    const leases = {
      acquire: (threadId: string) => !held.has(threadId),
      release: () => {},
    };
    const runtime: WorkerRuntime = {
      ...recording.runtime,
      store: {
        ...recording.runtime.store,
        runs: { ...recording.runtime.store.runs, input: (id) => inputs[id] },
        leases,
      },
    };
    const q = await queue("sweep");
    // The start job of "spent" failed for good (as retries exhausted while the store was away do).
    await q.enqueue("spent");
    const failing = await worker(
      { ...runtime, continue: () => Promise.reject(new GovernorError("CONFIG_INVALID", "store away")) },
      "sweep",
      { requeueDue: false },
    );
    await pollUntil("the job failed", async () => (await q.counts()).failed === 1, 60_000);
    await failing.close();
    expect(await q.requeueDue(runtime.store.runs)).toBe(1);
    // A live job is not doubled.
    expect(await q.requeueDue(runtime.store.runs)).toBe(0);
    expect(await q.requeueDue(runtime.store.runs, { leases })).toBe(1);
    const started = await worker(runtime, "sweep", { requeueDue: false });
    await pollUntil("spent and orphan continued", () => recording.continued.length === 2, 60_000);
    expect([...recording.continued].sort()).toEqual(["orphan", "spent"]);
    // Once its driver lets go of "driven" for good, the next sweep takes it too.
    held.delete("driven");
    expect(await started.queue.requeueDue(runtime.store.runs, { leases })).toBe(1);
    await pollUntil("driven continued", () => recording.continued.includes("driven"), 60_000);
    expect(recording.continued).not.toContain("local");
  });

  it("drains on close: the active job finishes, no new job is taken, waiting ones stay queued", async () => {
    const recording = recordingRuntime([run("slow"), run("next")]);
    recording.holdJobs();
    const q = await queue("drain");
    const started = await startWorker({
      runtime: recording.runtime,
      redis: redis.url,
      queueName: "drain",
      requeueDue: false,
      workflowFor: () => ({ workflow }),
      log: () => {},
    });
    await q.enqueue("slow");
    await pollUntil("the slow job is active", () => recording.continued.includes("slow"), 60_000);
    await q.enqueue("next");
    const closing = started.close();
    recording.release();
    await closing;
    expect(recording.continued).toEqual(["slow"]);
    const counts = await q.counts();
    expect(counts.completed).toBe(1);
    expect(counts.wait).toBe(1);
  });

  it("keeps going when Redis (appendonly) is killed and restarted mid-load: every job is continued", async () => {
    const persistent = await startRedis({ appendonly: true });
    try {
      const runs = Array.from({ length: 20 }, (_, i) => run(`r-${i}`));
      const recording = recordingRuntime(runs);
      const producer = await RunQueue.open({ redis: persistent.url, queueName: "restart" });
      for (const stored of runs) await producer.enqueue(stored.threadId);
      await producer.close();
      const slow: WorkerRuntime = {
        ...recording.runtime,
        async continue(wf, threadId) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return recording.runtime.continue(wf, threadId);
        },
      };
      const started = await startWorker({
        runtime: slow,
        redis: persistent.url,
        queueName: "restart",
        requeueDue: false,
        concurrency: 2,
        timings: { lockDurationMs: 5_000, stalledIntervalMs: 1_000 },
        workflowFor: () => ({ workflow }),
        log: () => {},
      });
      await pollUntil("a few jobs continued", () => recording.continued.length >= 3, 60_000);
      await persistent.kill();
      await persistent.restart();
      await pollUntil("every job continued", () => new Set(recording.continued).size === 20, 120_000);
      const check = await RunQueue.open({ redis: persistent.url, queueName: "restart" });
      await pollUntil("every job completed", async () => (await check.counts()).completed === 20, 120_000);
      await check.close();
      // Drained while Redis is up: a worker finishing its jobs must tell Redis so.
      await started.close();
    } finally {
      await persistent.stop();
    }
  }, 300_000);
});
