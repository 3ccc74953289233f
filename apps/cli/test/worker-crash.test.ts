import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample } from "@governor/sample-refund";
import {
  type PostgresServer,
  pollUntil,
  type RedisServer,
  startPostgres,
  startRedis,
} from "@governor/testing-services";
import { RunQueue } from "@governor/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueName, testRuntime } from "./support/queue-fixtures.js";
import { crashWorker, endWorkers, WORKER_START_MS } from "./support/worker-processes.js";

// Crash safety across workers: the $1,200 refund is approved (its answer stored, its resume
// enqueued), a worker takes the job and SIGKILLs itself at a boundary of the refund action
// (the boundaries of graphs/refund/test/exactly-once.int.test.ts), and BullMQ's stalled-job
// check hands the job to another worker process, which continues the run from its last
// checkpoint. Refunds are lines in a file: what really happened, across processes.

const BOUNDARIES = [
  "before-effect",
  "after-effect",
  "after-commit",
  "after-audit",
  "after-checkpoint",
] as const;
type Boundary = (typeof BOUNDARIES)[number];
/** Locks of seconds: the killed worker's job is free again a few seconds after it died. */
const FAST_RECOVERY = { GOVERNOR_WORKER_LOCK_MS: "6000", GOVERNOR_WORKER_STALLED_MS: "1000" };

let redis: RedisServer;
let postgres: PostgresServer | undefined;
const sample = createRefundSample();
const model = new ScenarioChatModel(sample.scenario);
const large = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

/** The store both the test and its worker processes use: a temp dir, and a database on PostgreSQL. */
let dir: string;
let runtime: GovernorRuntime;
/** What the worker processes need to open that store. */
let storeEnv: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await endWorkers();
  await redis?.stop();
  await postgres?.stop();
});

async function openTestStore(backend: "sqlite" | "postgres"): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), `governor-worker-crash-${backend}-`));
  if (backend === "postgres") {
    postgres ??= await startPostgres();
    // Five worker processes connect at once on a loaded two-core host: slow, not unreachable.
    storeEnv = { DATABASE_URL: await postgres.createDatabase(), GOVERNOR_PG_CONNECT_TIMEOUT_MS: "60000" };
  } else {
    storeEnv = {};
  }
  runtime = await testRuntime(dir, storeEnv.DATABASE_URL);
}

async function closeTestStore(): Promise<void> {
  await endWorkers();
  await runtime?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Starts the $1,200 refund here (it waits for a supervisor), stores the approval and enqueues its resume on `queue`. */
async function approvedRefundOn(queue: string, threadId: string): Promise<void> {
  const started = await runtime.start(sample.workflow, large, { model, threadId, source: "sample:refund" });
  expect(started.status).toBe("waiting");
  await runtime.queueDecision(
    sample.workflow,
    threadId,
    { approver: "supervisor:sam", decision: "approve" },
    { model },
  );
  const producer = await RunQueue.open({ redis: redis.url, queueName: queue });
  try {
    await producer.enqueueFromStore(runtime.store.runs, threadId);
  } finally {
    await producer.close();
  }
}

/** The refunds a thread's call really made: ledger lines carrying an idempotency key its audit names. */
async function refundsOf(threadId: string): Promise<number> {
  const keys = new Set(
    (await runtime.store.audit.list(threadId))
      .filter((record) => record.kind === "execution")
      .map((record) => record.data.idempotencyKey),
  );
  return ledgerLines().filter((line) => keys.has(line.idempotencyKey)).length;
}

/** Every refund the payments file holds. */
function ledgerLines(): { idempotencyKey: string }[] {
  const file = join(dir, "payments.log");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function executionsOf(threadId: string): Promise<string[]> {
  return (await runtime.store.audit.list(threadId))
    .filter((record) => record.kind === "execution" && record.tool === "issue_refund")
    .map((record) => record.outcome);
}

describe.each(["sqlite", "postgres"] as const)(
  "a worker SIGKILLed during a refund (%s): another worker finishes the run, the refund happens at most once",
  (backend) => {
    beforeAll(() => openTestStore(backend));
    afterAll(closeTestStore);

    it("at every boundary of the refund action", async () => {
      const queues = Object.fromEntries(
        BOUNDARIES.map((boundary) => [boundary, queueName(boundary)]),
      ) as Record<Boundary, string>;
      for (const boundary of BOUNDARIES) await approvedRefundOn(queues[boundary], `crash-${boundary}`);

      // One doomed worker per boundary, each alone on its queue, so each takes its own run.
      const doomed = BOUNDARIES.map((boundary) =>
        crashWorker(dir, {
          REDIS_URL: redis.url,
          GOVERNOR_QUEUE: queues[boundary],
          CRASH_AT: boundary,
          ...FAST_RECOVERY,
          ...storeEnv,
        }),
      );
      for (const worker of doomed) {
        const ended = await worker.exitedWithin(WORKER_START_MS);
        expect(ended.signal, `${worker.out()}\n${worker.err()}`).toBe("SIGKILL");
      }
      for (const boundary of BOUNDARIES) {
        expect((await runtime.store.runs.get(`crash-${boundary}`))?.status).toBe("running");
      }
      // Every doomed worker but the one killed before the payment paid once (the audit cannot
      // yet say whose refund is whose: the journal entry stands uncommitted).
      expect(ledgerLines()).toHaveLength(BOUNDARIES.length - 1);

      // The rescuer: one process serving every queue, no crash hook.
      const rescuer = crashWorker(dir, {
        REDIS_URL: redis.url,
        GOVERNOR_QUEUE: Object.values(queues).join(","),
        ...FAST_RECOVERY,
        ...storeEnv,
      });
      await rescuer.ready();
      for (const boundary of BOUNDARIES) {
        await rescuer.waitFor(new RegExp(`^crash-${boundary} (completed|failed)`, "m"), WORKER_START_MS);
      }

      expect(ledgerLines()).toHaveLength(BOUNDARIES.length - 1);
      for (const boundary of BOUNDARIES) {
        const threadId = `crash-${boundary}`;
        const run = await runtime.store.runs.get(threadId);
        expect(run?.status, `${threadId}: ${run?.error}`).toBe("completed");
        // Each recovery went through the journal: no second refund, whatever the moment of death.
        expect(await refundsOf(threadId), threadId).toBe(boundary === "before-effect" ? 0 : 1);
        const executions = await executionsOf(threadId);
        if (boundary === "before-effect" || boundary === "after-effect") {
          // Started but never committed: a non-idempotent refund is not guessed at.
          expect(executions, threadId).toContain("outcome-unknown");
          expect(executions, threadId).not.toContain("executed");
        } else {
          expect(executions, threadId).toEqual(["executed"]);
        }
      }
      rescuer.signal("SIGTERM");
      expect((await rescuer.exitedWithin()).code).toBe(0);
    }, 600_000);
  },
);

describe("a worker told to stop (SIGTERM)", () => {
  beforeAll(() => openTestStore("sqlite"));
  afterAll(closeTestStore);

  it("drains: it finishes the refund it is in the middle of, exits 0, and leaves the next job queued", async () => {
    const queue = queueName("drain");
    await approvedRefundOn(queue, "drain-active");
    const worker = crashWorker(dir, {
      REDIS_URL: redis.url,
      GOVERNOR_QUEUE: queue,
      HOLD_AT: "after-audit",
      GOVERNOR_WORKER_LOCK_MS: "30000",
    });
    await pollUntil(
      "the worker is inside the refund",
      () => existsSync(join(dir, "held")),
      WORKER_START_MS,
    ).catch((error) => {
      throw new Error(`${error.message}\nstdout:\n${worker.out()}\nstderr:\n${worker.err()}`);
    });
    await approvedRefundOn(queue, "drain-next");
    worker.signal("SIGTERM");
    // The signal is taken while the refund is still in flight; only then is it let go.
    await pollUntil(
      "the worker is draining",
      () => worker.err().includes("SIGTERM: draining"),
      WORKER_START_MS,
    );
    writeFileSync(join(dir, "release"), "");
    const ended = await worker.exitedWithin();
    expect(ended.code, worker.err()).toBe(0);
    expect(worker.out()).toMatch(/^drain-active completed/m);
    expect(worker.out()).toContain("crash worker drained");
    expect(await refundsOf("drain-active")).toBe(1);
    expect((await runtime.store.runs.get("drain-next"))?.status).toBe("waiting");
    const producer = await RunQueue.open({ redis: redis.url, queueName: queue });
    try {
      expect((await producer.counts()).wait).toBe(1);
    } finally {
      await producer.close();
    }
  }, 300_000);
});
