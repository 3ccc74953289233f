import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  compile,
  defineTool,
  defineWorkflow,
  END,
  fail,
  GovernorStore,
  pass,
  START,
  type Workflow,
} from "@governor/core";
import { defineIdentity, signApprovalDecision } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { Command } from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * A refund desk run as one governed agent loop: the model reads an order and proposes three
 * refunds in one turn; policy allows the small one, asks a human about the middle one and
 * forbids the big one. Effects are counted in `refunds`.
 */
const DESK = "You work the refund desk";

interface Desk {
  refunds: { orderId: string; amount: number }[];
  lookups: string[];
}

function deskWorkflow(desk: Desk, extra: Partial<Parameters<typeof defineWorkflow>[0]> = {}): Workflow {
  const lookup = defineTool({
    name: "lookup_order",
    description: "Read an order",
    input: z.object({ orderId: z.string() }),
    scopes: ["orders:read"],
    risk: "read",
    handler: ({ orderId }) => {
      desk.lookups.push(orderId);
      return { orderId, paid: 2000 };
    },
  });
  const refund = defineTool({
    name: "issue_refund",
    description: "Refund an order",
    input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
    scopes: ["refunds:write"],
    risk: "write",
    handler: (args) => {
      desk.refunds.push(args);
      return { refundId: `R-${desk.refunds.length}`, ...args };
    },
  });
  const policy = new RulePolicyEngine([
    { id: "read-orders", effect: "permit", actions: ["lookup_order"], reason: "reads are fine" },
    { id: "refunds", effect: "permit", actions: ["issue_refund"], reason: "the desk refunds" },
    {
      id: "big-refunds-need-a-human",
      effect: "require-approval",
      actions: ["issue_refund"],
      when: (request) => (request.args.amount as number) > 100,
      reason: "refunds over $100 need a supervisor",
    },
    {
      id: "huge-refunds-forbidden",
      effect: "forbid",
      actions: ["issue_refund"],
      when: (request) => (request.args.amount as number) > 1000,
      reason: "refunds over $1,000 are never issued by an agent",
    },
  ]);
  return defineWorkflow({
    name: "loop-desk",
    state: z.object({ request: z.string(), reply: z.string().optional() }),
    agent: { id: "desk", scopes: ["orders:read", "refunds:write"] },
    approvers: defineIdentity({
      roles: { supervisor: ["approvals:refunds"], worker: ["orders:read"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { "supervisor:sam": { roles: ["supervisor"] } },
    }),
    tools: [lookup, refund],
    policy,
    nodes: {
      desk: {
        kind: "agent",
        instructions: DESK,
        input: (state) => state.request,
        tools: ["lookup_order", "issue_refund"],
        maxTurns: 4,
        govern: {
          issue_refund: {
            check: ({ call }) => (call.args.orderId === "A-0" ? fail("order A-0 was never paid") : pass()),
          },
        },
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "desk"],
      ["desk", END],
    ],
    ...extra,
  });
}

/** Turn 1: a read and three refunds in one message; turn 2 (after results): a final answer. */
function deskModel() {
  return new ScenarioChatModel(
    defineScenario({
      name: "desk",
      turns: [
        {
          when: { system: new RegExp(DESK), lastRole: "human" },
          reply: {
            text: "Looking and refunding.",
            toolCalls: [
              { name: "lookup_order", args: { orderId: "A-1" } },
              { name: "issue_refund", args: { orderId: "A-1", amount: 50 } },
              { name: "issue_refund", args: { orderId: "A-2", amount: 500 } },
              { name: "issue_refund", args: { orderId: "A-3", amount: 5000 } },
            ],
          },
        },
        { when: { system: new RegExp(DESK) }, reply: { text: "All handled." } },
      ],
    }),
  );
}

let dir: string;
let store: GovernorStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-agent-loop-"));
  store = new GovernorStore(dir);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function graphFor(desk: Desk) {
  return compile(deskWorkflow(desk), {
    model: deskModel(),
    checkpointer: store.checkpointer,
    ...store.graphServices(),
  });
}

describe("agent loop", () => {
  it("decides every call of a turn on its own: allowed runs, denied answers the model, the approval waits", async () => {
    const desk: Desk = { refunds: [], lookups: [] };
    const graph = graphFor(desk);
    const config = { configurable: { thread_id: "t1" } };
    await graph.invoke({ request: "refund my orders" }, config);
    const snapshot = await graph.getState(config);
    const batch = snapshot.tasks.flatMap((task) => task.interrupts ?? []).map((i) => i.value as any);
    expect(batch).toHaveLength(1);
    expect(batch[0].type).toBe("approvals");
    expect(batch[0].requests.map((r: any) => [r.tool, r.args.amount])).toEqual([["issue_refund", 500]]);
    // The read and the small refund ran while the middle one waits; the huge one never will.
    expect(desk.lookups).toEqual(["A-1"]);
    expect(desk.refunds).toEqual([{ orderId: "A-1", amount: 50 }]);

    const token = await signApprovalDecision(store.tokenKeys, {
      approver: "supervisor:sam",
      decision: "approve",
      request: batch[0].requests[0],
    });
    const done = await graph.invoke(new Command({ resume: { token } }), config);
    expect(desk.refunds).toEqual([
      { orderId: "A-1", amount: 50 },
      { orderId: "A-2", amount: 500 },
    ]);
    expect(desk.lookups).toEqual(["A-1"]);
    expect(done.reply).toBe("All handled.");
    const denied = done.messages.find(
      (m: any) => m.getType?.() === "tool" && String(m.content).includes("over $1,000"),
    );
    expect(denied).toBeDefined();
    expect(
      store.audit.list("t1").filter((r) => r.kind === "execution" && r.outcome === "executed"),
    ).toHaveLength(3);
  });

  it("draws the loop: turn, checks, gate, tools, approval and the loop edge", () => {
    const graph = graphFor({ refunds: [], lookups: [] });
    const mermaid = graph.getGraph().drawMermaid();
    for (const name of ["desk", "desk.checks", "desk.gate", "desk.tools", "desk.approval"]) {
      expect(mermaid).toContain(name);
    }
  });
});
