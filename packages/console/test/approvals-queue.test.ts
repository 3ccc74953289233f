import { pollUntil, type RedisServer, startRedis } from "@governor/testing-services";
import { RunQueue, type RunWorker, startWorker } from "@governor/workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ApprovalsWorld, approvalsWorld, attributeOf, cards } from "./approvals-fixture.js";

// With REDIS_URL set the console signs the decision, stores it and leaves the run to a worker,
// as `governor approve` does then: a real redis-server, the real queue and worker.
const TEST_MS = 180_000;

let redis: RedisServer;
let queue: RunQueue;
let world: ApprovalsWorld;
let worker: RunWorker | undefined;
let queueName: string;

beforeAll(async () => {
  redis = await startRedis();
}, 120_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await queue?.close();
  await world?.close();
});

async function setUp() {
  queueName = `console-approvals-${Math.random().toString(36).slice(2)}`;
  queue = await RunQueue.open({ redis: redis.url, queueName });
  world = await approvalsWorld({ queue });
}

async function startTheWorker() {
  worker = await startWorker({
    runtime: world.runtime,
    redis: redis.url,
    queueName,
    workflowFor: (run) => (run.source === world.workflow.source ? world.workflow : undefined),
    log: () => {},
  });
}

async function waitingRefund(threadId: string) {
  const card =
    cards(await world.client().inbox(), "approval").find((html) =>
      html.includes(`data-thread="${threadId}"`),
    ) ?? "";
  return {
    requestId: /data-request="([^"]+)"/.exec(card)?.[1] ?? "",
    callHash: attributeOf(card, "callHash") ?? "",
  };
}

describe("decisions through the run queue", () => {
  it(
    "stores the signed decision for a worker, which completes the refund once; a second click is refused",
    async () => {
      await setUp();
      const threadId = await world.start();
      const { requestId, callHash } = await waitingRefund(threadId);
      const form = {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
        reason: "via worker",
      };

      const answers = await Promise.all([
        world.client().post(`/approvals/${threadId}/decide`, form),
        world.client().post(`/approvals/${threadId}/decide`, form),
      ]);

      const ok = answers.filter((answer) => answer.flash?.kind === "ok");
      expect(ok).toHaveLength(1);
      expect(ok[0]?.flash?.message).toContain("a worker runs");
      const refused = answers.find((answer) => answer.flash?.kind === "error");
      expect(refused?.flash?.message).toContain("already waiting for a worker");
      expect(await world.status(threadId)).toBe("waiting");

      await startTheWorker();
      await pollUntil(
        "the worker to complete the refund",
        async () => (await world.status(threadId)) === "completed",
        120_000,
      );
      expect(world.ledger.refunds.length).toBe(1);
      expect(await world.records(threadId, "approval", "approved")).toHaveLength(1);
      expect(await world.records(threadId, "approval", "refused")).toHaveLength(1);
    },
    TEST_MS,
  );
});
