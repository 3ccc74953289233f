import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  defineTool,
  defineWorkflow,
  END,
  GovernorRuntime,
  pass,
  START,
  type ToolDefinition,
  type WorkflowEdge,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { type RedisServer, startRedis } from "@governor/testing-services";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { RedisToolCallLimits } from "../src/index.js";

/**
 * Two runtimes on one store, as two workers of a pool would be, each with its own connection
 * to the shared limits in Redis. A payment desk: the model proposes a charge, the check and
 * the gate allow it, the action runs it; the run ends "paid", or "failed" on the action's failed edge.
 */

const chargeArgs = { orderId: "A-1", amount: 120 };
const model = new ScenarioChatModel(
  defineScenario({
    name: "payments",
    turns: [{ when: { lastRole: "human" }, reply: { toolCalls: [{ name: "charge", args: chargeArgs }] } }],
  }),
);
const policy = new RulePolicyEngine([
  { id: "desk-may-charge", actions: ["charge"], effect: "permit", reason: "the desk charges" },
]);
const request = { request: "Charge order A-1 $120." };

type Limits = Pick<ToolDefinition, "circuitBreaker" | "rateLimit">;

/** The desk; `down` makes the payments API fail, `calls` counts the handler's invocations. */
function paymentDesk(limits: Limits, options: { failedEdge?: boolean } = {}) {
  const api = { calls: 0, down: false };
  const setStatus = (status: string) => ({ kind: "task" as const, run: () => ({ status }) });
  const failed: WorkflowEdge[] =
    options.failedEdge === false
      ? []
      : [
          ["pay", "on_failed", "failed"],
          ["on_failed", END],
        ];
  const workflow = defineWorkflow({
    name: "shared-limits-desk",
    state: z.object({ request: z.string(), status: z.string().optional() }),
    agent: { id: "desk", scopes: ["payments:write"] },
    // The gate never asks here (policy permits), but a gate's approval branch needs somewhere to go.
    approvers: defineIdentity({
      roles: { approver: ["approvals:payments"], worker: ["work:do"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { "payments:lead": { roles: ["approver"] } },
    }),
    policy,
    tools: [
      defineTool({
        name: "charge",
        description: "Charge the customer's card",
        input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
        scopes: ["payments:write"],
        risk: "write",
        ...limits,
        handler: async () => {
          api.calls++;
          if (api.down) throw new Error("the payments service is down");
          return { paymentId: `P-${api.calls}` };
        },
      }),
    ],
    nodes: {
      propose: {
        kind: "model",
        instructions: "Charge what the customer owes.",
        input: (s) => s.request,
        tools: ["charge"],
      },
      check: { kind: "precondition", guards: "pay", check: () => pass() },
      gate: { kind: "gate", guards: "pay" },
      approve: { kind: "approval", guards: "pay" },
      pay: { kind: "action", tool: "charge" },
      paid: setStatus("paid"),
      ...(options.failedEdge === false ? {} : { on_failed: setStatus("failed") }),
    },
    edges: [
      [START, "propose"],
      ["propose", "check"],
      ["check", "gate", "pass"],
      ["check", END, "fail"],
      ["gate", "pay", "allow"],
      ["gate", "approve", "approval"],
      ["approve", "pay", "approved"],
      ["approve", END, "rejected"],
      ["gate", END, "deny"],
      ["pay", "paid"],
      ["paid", END],
      ...failed,
    ],
  });
  return { workflow, api };
}

let redis: RedisServer;
let dir: string;
let keyPrefix: string;
let tests = 0;
const opened: { close(): unknown }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-shared-limits-"));
  // Each test its own keys: breakers and windows from one test never reach the next.
  keyPrefix = `governor:limits:test${++tests}`;
});

afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await redis?.stop();
});

/** One worker: a runtime on the shared store dir, with its own connection to the shared limits. */
function worker(commandTimeoutMs = 5_000): GovernorRuntime {
  const limits = new RedisToolCallLimits({ redis: redis.url, keyPrefix, commandTimeoutMs });
  const runtime = new GovernorRuntime({ dir, limits });
  opened.push(limits, runtime);
  return runtime;
}

async function executions(runtime: GovernorRuntime, threadId: string) {
  return (await runtime.store.audit.list(threadId)).filter((record) => record.kind === "execution");
}

describe("shared call limits in two runtimes on one store", () => {
  it("opens the breaker for the second runtime when the tool keeps failing in the first", async () => {
    const desk = paymentDesk({ circuitBreaker: { threshold: 2, halfOpenAfterMs: 10 * 60_000 } });
    const [first, second] = [worker(), worker()];
    desk.api.down = true;

    await first.start(desk.workflow, request, { model });
    await first.start(desk.workflow, request, { model });
    const refused = await second.start(desk.workflow, request, { model });

    expect(desk.api.calls).toBe(2);
    expect(refused.state.status).toBe("failed");
    const [record] = await executions(second, refused.threadId);
    expect(record).toMatchObject({ outcome: "circuit-open", tool: "charge" });
    expect(record?.data).toMatchObject({ code: "CIRCUIT_OPEN", attempts: 0 });
  });

  it("holds a rate limit across both runtimes, auditing the call over it as rate-limited", async () => {
    const desk = paymentDesk({ rateLimit: { limit: 1, intervalMs: 60_000 } });
    const [first, second] = [worker(), worker()];

    const paid = await first.start(desk.workflow, request, { model });
    const limited = await second.start(desk.workflow, request, { model });

    expect(paid.state.status).toBe("paid");
    expect(limited.state.status).toBe("failed");
    expect(desk.api.calls).toBe(1);
    const [record] = await executions(second, limited.threadId);
    expect(record).toMatchObject({ outcome: "rate-limited" });
    expect(record?.data).toMatchObject({ code: "RATE_LIMITED", attempts: 0 });
  });

  it("fails a run closed with STORE_UNREACHABLE, without calling the tool, while Redis is down", async () => {
    const desk = paymentDesk({ rateLimit: { limit: 100, intervalMs: 60_000 } }, { failedEdge: false });
    const runtime = worker(500);

    await redis.kill();
    const outcome = await runtime.start(desk.workflow, request, { model }).finally(() => redis.restart());

    expect(desk.api.calls).toBe(0);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("STORE_UNREACHABLE");
    const [record] = await executions(runtime, outcome.threadId);
    expect(record).toMatchObject({ outcome: "limits-unavailable" });
  });
});
