import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  defineTool,
  defineWorkflow,
  END,
  findWorkflowIssues,
  GovernorRuntime,
  idempotencyKey,
  pass,
  START,
  type ToolDefinition,
  type WorkflowEdge,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * A payment desk: the model proposes a charge; check, gate and action run it; the run
 * ends on "paid", "failed" or "escalated" depending on the edge the action takes.
 */

const chargeArgs = { orderId: "A-1", amount: 120 };
const input = z.object({ orderId: z.string(), amount: z.number().positive() }).strict();
const state = z.object({ request: z.string(), status: z.string().optional() });

const model = new ScenarioChatModel(
  defineScenario({
    name: "payments",
    turns: [{ when: { lastRole: "human" }, reply: { toolCalls: [{ name: "charge", args: chargeArgs }] } }],
  }),
);

const policy = new RulePolicyEngine([
  {
    id: "desk-may-charge",
    actions: ["charge", "charge_backup"],
    effect: "permit",
    reason: "the desk charges",
  },
]);

type Resilience = Partial<
  Pick<ToolDefinition, "idempotent" | "timeoutMs" | "retry" | "circuitBreaker" | "fallback">
>;

/** Counts every handler invocation and every real charge. */
interface Counter {
  calls: number;
  charges: number;
}

/** The charge tool: hangs, or fails its first `failures` calls, then charges. */
function chargeTool(
  counter: Counter,
  behaviour: { failures?: number; hang?: boolean },
  resilience: Resilience,
) {
  return defineTool({
    name: "charge",
    description: "Charge the customer's card",
    input,
    scopes: ["payments:write"],
    risk: "write",
    ...resilience,
    handler: async () => {
      counter.calls++;
      if (behaviour.hang) return new Promise<never>(() => {});
      if (counter.calls <= (behaviour.failures ?? 0)) throw new Error("the payments service is down");
      counter.charges++;
      return { paymentId: `P-${counter.charges}` };
    },
  });
}

function backupTool(counter: Counter) {
  return defineTool({
    name: "charge_backup",
    description: "Charge through the backup processor",
    input,
    scopes: ["payments:write"],
    risk: "write",
    handler: () => {
      counter.calls++;
      counter.charges++;
      return { paymentId: "B-1" };
    },
  });
}

interface DeskOptions {
  readonly behaviour?: { failures?: number; hang?: boolean };
  readonly resilience?: Resilience;
  /** The action's labeled edges the workflow declares. Default: both. */
  readonly edges?: readonly ("failed" | "escalated")[];
}

function paymentDesk(options: DeskOptions = {}) {
  const primary: Counter = { calls: 0, charges: 0 };
  const backup: Counter = { calls: 0, charges: 0 };
  const labeled = options.edges ?? ["failed", "escalated"];
  const setStatus = (status: string) => ({ kind: "task" as const, run: () => ({ status }) });
  // Each declared outcome of the action gets a node that records it, and an edge to it.
  const outcomeNodes = Object.fromEntries(labeled.map((label) => [`on_${label}`, setStatus(label)]));
  const outcomeEdges = labeled.flatMap((label): WorkflowEdge[] => [
    ["pay", `on_${label}`, label],
    [`on_${label}`, END],
  ]);
  const workflow = defineWorkflow({
    name: "payment-desk",
    state,
    agent: { id: "desk", scopes: ["payments:write"] },
    approvers: defineIdentity({
      roles: { approver: ["approvals:payments"], worker: ["work:do"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { "payments:lead": { roles: ["approver"] } },
    }),
    tools: [chargeTool(primary, options.behaviour ?? {}, options.resilience ?? {}), backupTool(backup)],
    policy,
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
      ...outcomeNodes,
    },
    edges: [
      [START, "propose"],
      ["propose", "check"],
      ["check", "gate", "pass"],
      ["check", END, "fail"],
      ["gate", "pay", "allow"],
      ["gate", "approve", "approval"],
      ["gate", END, "deny"],
      ["approve", "pay", "approved"],
      ["approve", END, "rejected"],
      ["pay", "paid"],
      ["paid", END],
      ...outcomeEdges,
    ],
  });
  return { workflow, primary, backup };
}

let dir: string;
let runtime: GovernorRuntime;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-resilience-"));
  runtime = new GovernorRuntime({ dir });
});

afterEach(() => {
  runtime.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const request = { request: "Charge order A-1 $120." };

function executions(threadId: string): string[] {
  return runtime.store.audit
    .list(threadId)
    .filter((record) => record.kind === "execution")
    .map((record) => `${record.tool}:${record.outcome}`);
}

/** What the model was told about its call. */
function toolMessage(values: Record<string, unknown>): string {
  const messages = values.messages as { getType(): string; content: unknown }[];
  return String(messages.filter((message) => message.getType() === "tool").at(-1)?.content);
}

describe("resilience in a run", () => {
  it("ends a hanging call on the escalated path, telling the model, without crashing", async () => {
    const desk = paymentDesk({
      behaviour: { hang: true },
      resilience: { timeoutMs: 30, fallback: { escalate: true } },
    });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("escalated");
    expect(desk.primary.calls).toBe(1);
    expect(executions(outcome.threadId)).toEqual(["charge:timeout", "charge:escalated"]);
    expect(toolMessage(outcome.state)).toMatch(/charge timed out.*escalated to a human/);
  });

  it("takes the failed edge on a timeout when the tool does not escalate", async () => {
    const desk = paymentDesk({ behaviour: { hang: true }, resilience: { timeoutMs: 30 } });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.state.status).toBe("failed");
    expect(executions(outcome.threadId)).toEqual(["charge:timeout"]);
  });

  it("takes the failed edge for an escalation when the workflow has no escalated edge", async () => {
    const desk = paymentDesk({
      behaviour: { failures: 1 },
      resilience: { fallback: { escalate: true } },
      edges: ["failed"],
    });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.state.status).toBe("failed");
    expect(executions(outcome.threadId)).toEqual(["charge:failed", "charge:escalated"]);
  });

  it.each([
    ["a timeout", { behaviour: { hang: true }, resilience: { timeoutMs: 30 } }, "TOOL_TIMEOUT"],
    [
      "an escalation",
      { behaviour: { failures: 1 }, resilience: { fallback: { escalate: true as const } } },
      "ESCALATED",
    ],
    ["a failure", { behaviour: { failures: 1 }, resilience: {} }, "TOOL_FAILED"],
  ])("fails the run with a code for %s when no edge catches it", async (_case, options, code) => {
    const desk = paymentDesk({ ...options, edges: [] });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe(code);
    expect(desk.primary.charges).toBe(0);
  });

  it("retries an idempotent flaky tool to success with exactly one real charge", async () => {
    const desk = paymentDesk({
      behaviour: { failures: 2 },
      resilience: { idempotent: true, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } },
    });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.state.status).toBe("paid");
    expect(desk.primary).toEqual({ calls: 3, charges: 1 });
    const executed = runtime.store.audit
      .list(outcome.threadId)
      .find((record) => record.outcome === "executed");
    expect(executed?.data.attempts).toBe(3);
  });

  it("tries a flaky tool that is not idempotent once", async () => {
    const desk = paymentDesk({
      behaviour: { failures: 2 },
      resilience: { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } },
    });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.state.status).toBe("failed");
    expect(desk.primary).toEqual({ calls: 1, charges: 0 });
  });

  it("opens the breaker across runs: later runs fail fast without calling the handler", async () => {
    const desk = paymentDesk({
      behaviour: { failures: 100 },
      resilience: { circuitBreaker: { threshold: 2, halfOpenAfterMs: 60_000 } },
    });

    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await runtime.start(desk.workflow, request, { model }));

    expect(desk.primary.calls).toBe(2);
    expect(runs.map((run) => run.state.status)).toEqual(["failed", "failed", "failed"]);
    expect(executions(runs[2]?.threadId ?? "")).toEqual(["charge:circuit-open"]);
    expect(toolMessage(runs[2]?.state ?? {})).toContain("circuit breaker open");
  });

  it("falls back to another tool, which charges once", async () => {
    const desk = paymentDesk({
      behaviour: { failures: 1 },
      resilience: { fallback: { tool: "charge_backup" } },
    });

    const outcome = await runtime.start(desk.workflow, request, { model });

    expect(outcome.state.status).toBe("paid");
    expect(desk.primary.charges).toBe(0);
    expect(desk.backup).toEqual({ calls: 1, charges: 1 });
    expect(executions(outcome.threadId)).toEqual([
      "charge:failed",
      "charge:fallback",
      "charge_backup:executed",
    ]);
    expect(toolMessage(outcome.state)).toContain("ran charge_backup instead");
  });

  it("does not re-run a non-idempotent call the journal shows started: outcome unknown", async () => {
    const desk = paymentDesk({ resilience: { fallback: { tool: "charge_backup" } } });
    const threadId = "crashed-mid-charge";
    // A process died while the handler ran: the journal has the start and nothing after it.
    runtime.store.effects.start(idempotencyKey(threadId, "pay", 0, chargeArgs), "charge", threadId);

    const outcome = await runtime.start(desk.workflow, request, { model, threadId });

    expect(outcome.state.status).toBe("failed");
    expect(desk.primary.calls).toBe(0);
    expect(desk.backup.calls).toBe(0);
    expect(executions(threadId)).toEqual(["charge:outcome-unknown"]);
    expect(toolMessage(outcome.state)).toContain("reconcile before retrying");
  });

  it("refuses a workflow whose tool falls back to a tool it does not have", () => {
    const orphan = defineTool({
      name: "refund",
      description: "Refund",
      input,
      scopes: [],
      risk: "write",
      fallback: { tool: "manual_refund" },
      handler: () => null,
    });
    const { workflow } = paymentDesk();

    const issues = findWorkflowIssues({ ...workflow, tools: [...workflow.tools, orphan] });

    expect(issues).toContainEqual(
      expect.objectContaining({ code: "WORKFLOW_UNKNOWN_TOOL", path: "tools[2].fallback.tool" }),
    );
  });
});
