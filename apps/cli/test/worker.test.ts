import {
  freePort,
  type PostgresServer,
  pollUntil,
  type RedisServer,
  startPostgres,
  startRedis,
} from "@governor/testing-services";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore } from "./support/governor-bin.js";
import {
  queuedThread,
  queueName,
  refundExecutions,
  type ShownRecord,
  testRuntime,
} from "./support/queue-fixtures.js";
import { endWorkers, governorWorker } from "./support/worker-processes.js";

// `governor worker` on a real redis-server (and, for the PostgreSQL variant, a real
// PostgreSQL): runs queued by one process, started by a worker, approved by another process,
// finished by a second worker. Every process is the real binary (the build).

let redis: RedisServer;
let postgres: PostgresServer;
beforeAll(async () => {
  redis = await startRedis();
  postgres = await startPostgres();
});
afterAll(async () => {
  await endWorkers();
  await redis?.stop();
  await postgres?.stop();
});
afterEach(async () => {
  await endWorkers();
});

/** One command on a fresh store with `env`. */
function governorWith(env: Record<string, string>, ...args: string[]) {
  const cli = governorOnTempStore(env);
  try {
    return cli.governor(...args);
  } finally {
    cli.dispose();
  }
}

/** Seconds, not BullMQ's production 30 s: a crashed worker's job moves within the test's patience. */
const FAST_RECOVERY = { GOVERNOR_WORKER_LOCK_MS: "10000", GOVERNOR_WORKER_STALLED_MS: "2000" };

describe.each(["sqlite", "postgres"] as const)("governor worker on %s", (backend) => {
  it(
    "a queued run completes on a worker; the $1,200 refund waits and a run over budget stops, both answered from another process, and a second worker finishes them (one refund each)",
    async () => {
      const database = backend === "postgres" ? { DATABASE_URL: await postgres.createDatabase() } : {};
      const env = { REDIS_URL: redis.url, GOVERNOR_QUEUE: queueName(backend), ...FAST_RECOVERY, ...database };
      const cli = governorOnTempStore(env);
      try {
        const first = governorWorker(["--concurrency", "2"], { ...env, GOVERNOR_DIR: cli.dir });
        await first.ready();

        const small = cli.governor("run", "refund", "--case", "small-refund", "--queue");
        expect(small.code, small.err).toBe(0);
        const smallThread = queuedThread(small);
        const large = cli.governor("run", "refund", "--case", "large-refund", "--queue");
        expect(large.code, large.err).toBe(0);
        const largeThread = queuedThread(large);
        const thrifty = cli.governor(
          "run",
          "refund",
          "--case",
          "small-refund",
          "--max-tokens",
          "150",
          "--queue",
        );
        expect(thrifty.code, thrifty.err).toBe(0);
        const thriftyThread = queuedThread(thrifty);

        await first.waitFor(new RegExp(`^${smallThread} completed`, "m"));
        await first.waitFor(new RegExp(`^${largeThread} waiting`, "m"));
        await first.waitFor(new RegExp(`^${thriftyThread} waiting.*more budget`, "m"));
        // A run waiting for a human holds no worker: drain and stop this one.
        first.signal("SIGTERM");
        expect((await first.exitedWithin()).code, first.err()).toBe(0);

        const approved = cli.governor(
          "approve",
          largeThread,
          "--approver",
          "supervisor:sam",
          "--reason",
          "checked",
        );
        expect(approved.code, approved.err).toBe(0);
        expect(approved.out).toContain("queued for a worker");
        // Nothing ran in the approving process.
        expect(approved.out).not.toContain("issue_refund executed");

        // An approver who may not extend budgets is refused here, audited, before anything is
        // queued: not left for a worker to find out.
        const refusedGrant = cli.governor(
          "budget",
          thriftyThread,
          "--extend-tokens",
          "1000",
          "--approver",
          "supervisor:sam",
        );
        expect(refusedGrant.code).toBe(1);
        expect(refusedGrant.err).toContain("error [APPROVAL_INVALID]: Refused");
        expect(refusedGrant.out).not.toContain("queued for a worker");

        const granted = cli.governor(
          "budget",
          thriftyThread,
          "--extend-tokens",
          "1000",
          "--approver",
          "finance:kim",
        );
        expect(granted.code, granted.err).toBe(0);
        expect(granted.out).toContain("queued for a worker");

        const second = governorWorker([], { ...env, GOVERNOR_DIR: cli.dir });
        await second.ready();
        await second.waitFor(new RegExp(`^${largeThread} completed`, "m"));
        await second.waitFor(new RegExp(`^${thriftyThread} completed`, "m"));

        const records = JSON.parse(cli.governor("audit", "show", largeThread, "--json").out) as ShownRecord[];
        expect(refundExecutions(records)).toEqual(["executed"]);
        expect(
          records.some(
            (record) => record.kind === "approval" && JSON.stringify(record).includes("supervisor:sam"),
          ),
        ).toBe(true);
        const smallRecords = JSON.parse(
          cli.governor("audit", "show", smallThread, "--json").out,
        ) as ShownRecord[];
        expect(refundExecutions(smallRecords)).toEqual(["executed"]);
        const status = JSON.parse(cli.governor("status", "--json").out) as { runs: Record<string, number> };
        expect(status.runs).toEqual({ completed: 3 });

        second.signal("SIGTERM");
        expect((await second.exitedWithin()).code, second.err()).toBe(0);
      } finally {
        cli.dispose();
      }
    },
    2 * CLI_TEST_MS,
  );
});

describe("governor worker: refusals", () => {
  it(
    "refuses tampered jobs (extra fields, a bogus thread, a run whose source names another workflow) with JOB_INVALID: nothing runs, the worker stays up",
    async () => {
      const queue = queueName("tampered");
      const env = { REDIS_URL: redis.url, GOVERNOR_QUEUE: queue };
      const cli = governorOnTempStore(env);
      const raw = new Queue(queue, { connection: { host: "127.0.0.1", port: redis.port } });
      try {
        // A run recorded as "payroll" whose stored source resolves to the refund sample.
        const runtime = await testRuntime(cli.dir);
        await runtime.store.runs.create({
          threadId: "payroll-1",
          workflow: "payroll",
          source: "sample:refund",
          principal: { id: "agent:payroll", kind: "agent", agentId: "payroll", scopes: [] },
          status: "queued",
          input: {},
        });
        await runtime.close();
        const worker = governorWorker([], { ...env, GOVERNOR_DIR: cli.dir });
        await worker.ready();
        await raw.add(
          "run",
          { threadId: "payroll-1", input: { amount: 1_000_000 } },
          { jobId: "extra-fields" },
        );
        await raw.add("run", { threadId: "no-such-thread" }, { jobId: "bogus-thread" });
        await raw.add("run", { threadId: "payroll-1" }, { jobId: "other-workflow" });
        const failedIds = async () => (await raw.getFailed()).map((job) => job.id);
        // The worker also enqueued payroll-1 itself (it is queued in the store): refused the same way.
        await pollUntil("the tampered jobs failed", async () => (await failedIds()).length >= 3, 120_000);
        const failed = await raw.getFailed();
        for (const job of failed) expect(job.failedReason).toMatch(/^\[JOB_INVALID\]/);
        const reason = (id: string) => failed.find((job) => job.id === id)?.failedReason ?? "";
        expect(reason("extra-fields")).toContain('Unrecognized key: "input"');
        expect(reason("bogus-thread")).toContain("not a run in this store");
        expect(reason("other-workflow")).toContain('workflow "payroll", but its source resolves to "refund"');
        expect(worker.err()).toContain("refused");

        const check = await testRuntime(cli.dir);
        try {
          expect((await check.store.runs.get("payroll-1"))?.status).toBe("queued");
          expect(await check.store.audit.list("payroll-1")).toEqual([]);
          const refusals = await check.store.audit.list("governor:queue");
          expect(refusals.length).toBeGreaterThanOrEqual(3);
          expect(
            refusals.every((record) => record.outcome === "refused" && record.data.code === "JOB_INVALID"),
          ).toBe(true);
        } finally {
          await check.close();
        }
        worker.signal("SIGTERM");
        expect((await worker.exitedWithin()).code).toBe(0);
        // The refused run is still what the store says: queued, listed as such.
        const listed = cli.governor("runs", "--status", "queued", "--json");
        expect(listed.code, listed.err).toBe(0);
        expect(listed.out).toContain("payroll-1");
      } finally {
        await raw.close();
        cli.dispose();
      }
    },
    CLI_TEST_MS,
  );

  it(
    "a malformed or unreachable REDIS_URL, or a bad --concurrency, is one clear error naming it, exit 1, fast; no run is admitted",
    async () => {
      const port = await freePort();
      const cli = governorOnTempStore();
      try {
        const malformed = cli.governor("worker");
        expect(malformed.code).toBe(1);
        expect(malformed.err).toContain("error [QUEUE_CONFIG_INVALID]: REDIS_URL is not set");

        const unreachableEnv = { REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` };
        const worker = governorOnTempStore(unreachableEnv);
        try {
          const unreachable = worker.governor("worker");
          expect(unreachable.code).toBe(1);
          expect(unreachable.err).toContain(
            `error [QUEUE_UNREACHABLE]: Cannot reach the run queue's Redis at 127.0.0.1:${port} (REDIS_URL)`,
          );
          expect(unreachable.err).not.toContain("hunter2");

          const run = worker.governor("run", "refund", "--case", "small-refund", "--queue");
          expect(run.code).toBe(1);
          expect(run.err).toContain("QUEUE_UNREACHABLE");
          expect(JSON.parse(worker.governor("status", "--json").out).runs).toEqual({});
        } finally {
          worker.dispose();
        }

        const scheme = governorWith({ REDIS_URL: "localhost:6379" }, "worker", "--concurrency", "2");
        expect(scheme.code).toBe(1);
        expect(scheme.err).toContain('REDIS_URL has scheme "localhost"');
        const concurrency = governorWith({ REDIS_URL: redis.url }, "worker", "--concurrency", "0");
        expect(concurrency.code).toBe(1);
        expect(concurrency.err).toContain(
          "error [QUEUE_CONFIG_INVALID]: --concurrency must be a whole number from 1 to 1000",
        );
      } finally {
        cli.dispose();
      }
    },
    CLI_TEST_MS,
  );
});
