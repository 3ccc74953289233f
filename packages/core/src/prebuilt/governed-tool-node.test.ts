import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApprovalBinding, signApprovalDecision } from "@governor/identity";
import { type PolicyEngine, RulePolicyEngine } from "@governor/policy";
import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import {
  type BaseCheckpointSaver,
  Command,
  END,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ApprovalBatch } from "../approvals/approval-batch.js";
import { GovernorStore } from "../runtime/governor-store.js";
import { type GovernedToolNode, governedToolNode } from "./governed-tool-node.js";
import type { GovernedToolsOptions } from "./governed-tools-options.js";

let dir: string;
let store: GovernorStore;
let ran: { get_order: number; issue_refund: number; cancel_order: number; wipe_account: number };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governed-tool-node-"));
  store = new GovernorStore(dir);
  ran = { get_order: 0, issue_refund: 0, cancel_order: 0, wipe_account: 0 };
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const getOrder = tool(
  async ({ orderId }) => {
    ran.get_order++;
    return { orderId, status: "delivered", total: 250 };
  },
  { name: "get_order", description: "Look up an order", schema: z.object({ orderId: z.string() }) },
);
const issueRefund = tool(
  async ({ orderId, amount }) => {
    ran.issue_refund++;
    return `refunded ${amount} on ${orderId}`;
  },
  {
    name: "issue_refund",
    description: "Refund part of an order",
    schema: z.object({ orderId: z.string(), amount: z.number().positive() }),
  },
);
const cancelOrder = tool(
  async ({ orderId }) => {
    ran.cancel_order++;
    return `cancelled ${orderId}`;
  },
  { name: "cancel_order", description: "Cancel an order", schema: z.object({ orderId: z.string() }) },
);
const wipeAccount = tool(
  async () => {
    ran.wipe_account++;
    return "wiped";
  },
  {
    name: "wipe_account",
    description: "Delete a customer account",
    schema: z.object({ customerId: z.string() }),
  },
);

const allTools = [getOrder, issueRefund, cancelOrder, wipeAccount];

const policy = new RulePolicyEngine([
  { id: "reads", actions: ["get_order"], effect: "permit", reason: "support reads orders" },
  { id: "refunds", actions: ["issue_refund"], effect: "permit", reason: "support refunds" },
  {
    id: "big-refunds",
    actions: ["issue_refund"],
    effect: "require-approval",
    when: ({ args }) => Number(args.amount) > 100,
    reason: "refunds above 100 need a supervisor",
  },
  {
    id: "no-refund-to-flagged",
    actions: ["issue_refund"],
    effect: "forbid",
    when: ({ context }) => context.flagged === true,
    reason: "flagged accounts get no refunds",
  },
  { id: "cancels", actions: ["cancel_order"], effect: "permit", reason: "support cancels" },
  {
    id: "cancels-need-human",
    actions: ["cancel_order"],
    effect: "require-approval",
    reason: "a human confirms cancels",
  },
  { id: "wipes", actions: ["wipe_account"], effect: "permit", reason: "admins wipe accounts" },
]);

function options(overrides: Partial<GovernedToolsOptions> = {}): GovernedToolsOptions {
  return {
    store,
    policy,
    agent: { id: "support", scopes: ["orders:read", "refunds:write", "orders:write"] },
    approvers: (approver) => approver.startsWith("supervisor:"),
    govern: {
      get_order: { scopes: ["orders:read"], risk: "read" },
      issue_refund: {
        scopes: ["refunds:write"],
        risk: "write",
        check: ({ call }) =>
          call.args.orderId === "A-404" ? { ok: false, reason: "order A-404 does not exist" } : { ok: true },
        context: () => ({ flagged: false }),
        approval: {
          requiredScope: undefined,
          summary: (_state, call) => `refund ${String(call.args.amount)}`,
        },
      },
      cancel_order: {
        scopes: ["orders:write"],
        risk: "write",
        sufficient: { reason: "a human confirms every cancel" },
      },
      wipe_account: {
        scopes: ["accounts:admin"],
        risk: "destructive",
        sufficient: { reason: "admins only" },
      },
    },
    ...overrides,
  };
}

/**
 * LangGraph's own ToolNode example (a hand-written StateGraph: agent ⇄ tools), with the
 * ToolNode swapped for the governed one. The "model" plays scripted AI messages, one per turn.
 */
function reactGraph(
  turns: AIMessage[],
  tools: GovernedToolNode,
  checkpointer: BaseCheckpointSaver = new MemorySaver(),
) {
  const seen: BaseMessage[][] = [];
  const callModel = async (state: typeof MessagesAnnotation.State) => {
    seen.push(state.messages);
    const reply = turns[seen.length - 1] ?? new AIMessage("done");
    return { messages: [reply] };
  };
  const shouldContinue = (state: typeof MessagesAnnotation.State) => {
    const last = state.messages.at(-1) as AIMessage;
    return last.tool_calls?.length ? "tools" : END;
  };
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("agent", callModel)
    .addNode("tools", tools)
    .addEdge(START, "agent")
    .addConditionalEdges("agent", shouldContinue, ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer });
  return { graph, seen };
}

function aiCalls(calls: { id: string; name: string; args: Record<string, unknown> }[]): AIMessage {
  return new AIMessage({
    content: "",
    tool_calls: calls.map((call) => ({ ...call, type: "tool_call" as const })),
  });
}

type Interrupted = { __interrupt__?: { value: ApprovalBatch }[]; messages: BaseMessage[] };

function batchOf(result: Interrupted): ApprovalBatch {
  expect(result.__interrupt__).toHaveLength(1);
  return (result.__interrupt__ as { value: ApprovalBatch }[])[0]?.value as ApprovalBatch;
}

function sign(
  request: ApprovalBinding,
  decision: "approve" | "reject" = "approve",
  approver = "supervisor:sam",
) {
  return signApprovalDecision(store.tokenKeys, { approver, decision, request });
}

function toolReplies(messages: BaseMessage[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => message instanceof ToolMessage);
}

const parallelTurn = aiCalls([
  { id: "c1", name: "get_order", args: { orderId: "A-1" } },
  { id: "c2", name: "issue_refund", args: { orderId: "A-1", amount: 250 } },
  { id: "c3", name: "cancel_order", args: { orderId: "A-1" } },
]);

describe("governedToolNode in a hand-written StateGraph", () => {
  it("runs a read at once and asks for both writes in ONE interrupt; no write has run", async () => {
    const { graph } = reactGraph([parallelTurn], governedToolNode(allTools, options()));
    const config = { configurable: { thread_id: "t-parallel" } };
    const batch = batchOf(
      (await graph.invoke(
        { messages: [{ role: "user", content: "refund and cancel A-1" }] },
        config,
      )) as Interrupted,
    );

    expect(batch.type).toBe("approvals");
    expect(batch.node).toBe("tools");
    expect(batch.requests.map((request) => request.tool)).toEqual(["issue_refund", "cancel_order"]);
    expect(new Set(batch.requests.map((request) => request.callHash)).size).toBe(2);
    expect(batch.requests[0]?.summary).toBe("refund 250");
    expect(ran).toEqual({ get_order: 1, issue_refund: 0, cancel_order: 0, wipe_account: 0 });
  });

  it("approving one call runs it once while the other stays pending; rejecting the other makes it a tool error; nothing re-runs", async () => {
    const { graph, seen } = reactGraph([parallelTurn], governedToolNode(allTools, options()));
    const config = { configurable: { thread_id: "t-approve-one" } };
    const first = batchOf(
      (await graph.invoke({ messages: [{ role: "user", content: "go" }] }, config)) as Interrupted,
    );
    const [refund, cancel] = first.requests;
    if (!refund || !cancel) throw new Error("two requests expected");

    const second = batchOf(
      (await graph.invoke(new Command({ resume: { token: await sign(refund) } }), config)) as Interrupted,
    );
    expect(second.requests.map((request) => request.requestId)).toEqual([cancel.requestId]);
    expect(second.refusedAnswer).toBeUndefined();
    expect(ran).toEqual({ get_order: 1, issue_refund: 1, cancel_order: 0, wipe_account: 0 });

    const done = (await graph.invoke(
      new Command({ resume: { token: await sign(cancel, "reject") } }),
      config,
    )) as Interrupted;
    expect(done.__interrupt__).toBeUndefined();
    // Three resumes of the tools node, and each handler ran at most once.
    expect(ran).toEqual({ get_order: 1, issue_refund: 1, cancel_order: 0, wipe_account: 0 });

    const replies = toolReplies(done.messages);
    expect(replies.map((reply) => [reply.tool_call_id, reply.status])).toEqual([
      ["c1", "success"],
      ["c2", "success"],
      ["c3", "error"],
    ]);
    expect(replies[1]?.content).toBe("refunded 250 on A-1");
    expect(replies[2]?.content).toMatch(/^Rejected by supervisor:sam/);
    // The model got its next turn with every call answered.
    expect(seen).toHaveLength(2);

    const approvals = store.audit.list("t-approve-one").filter((record) => record.kind === "approval");
    expect(approvals.map((record) => `${record.tool}:${record.outcome}`)).toEqual([
      "issue_refund:requested",
      "cancel_order:requested",
      "issue_refund:approved",
      "cancel_order:rejected",
    ]);
    expect(store.audit.verify().ok).toBe(true);
  });

  it("a decision signed for one call cannot approve its sibling, nor one from another run", async () => {
    const tools = governedToolNode(allTools, options());
    const { graph } = reactGraph([parallelTurn], tools);
    const config = { configurable: { thread_id: "t-misroute" } };
    const batch = batchOf(
      (await graph.invoke({ messages: [{ role: "user", content: "go" }] }, config)) as Interrupted,
    );
    const [refund, cancel] = batch.requests;
    if (!refund || !cancel) throw new Error("two requests expected");

    // The cancel's request id with the refund's call hash: bound to neither call.
    const swapped = await sign({ ...cancel, callHash: refund.callHash });
    let again = batchOf(
      (await graph.invoke(new Command({ resume: { token: swapped } }), config)) as Interrupted,
    );
    expect(again.requests).toHaveLength(2);
    expect(again.refusedAnswer).toMatch(/not the pending call .*good only for the request it was signed for/);

    // A genuine decision from another run of the same graph.
    const other = reactGraph([parallelTurn], tools).graph;
    const otherConfig = { configurable: { thread_id: "t-misroute-other" } };
    const otherBatch = batchOf(
      (await other.invoke({ messages: [{ role: "user", content: "go" }] }, otherConfig)) as Interrupted,
    );
    const foreign = await sign(otherBatch.requests[0] as ApprovalBinding);
    again = batchOf((await graph.invoke(new Command({ resume: { token: foreign } }), config)) as Interrupted);
    expect(again.requests).toHaveLength(2);
    expect(again.refusedAnswer).toMatch(/not pending here/);

    // An unsigned "approve" is no answer at all.
    again = batchOf(
      (await graph.invoke(
        new Command({ resume: { decision: "approve", approver: "supervisor:sam" } }),
        config,
      )) as Interrupted,
    );
    expect(again.refusedAnswer).toMatch(/malformed answer/);
    expect(ran.issue_refund + ran.cancel_order).toBe(0);

    // Both at once, in one resume value: both run, once each.
    const done = (await graph.invoke(
      new Command({ resume: { tokens: [await sign(cancel), await sign(refund)] } }),
      config,
    )) as Interrupted;
    expect(done.__interrupt__).toBeUndefined();
    expect(ran).toEqual({ get_order: 2, issue_refund: 1, cancel_order: 1, wipe_account: 0 });
  });

  it("refuses a denied, out-of-scope, malformed, unknown or failing-precondition call as a tool error, and runs the rest", async () => {
    const turn = aiCalls([
      { id: "d1", name: "get_order", args: { orderId: "A-1" } },
      { id: "d2", name: "wipe_account", args: { customerId: "C-1" } },
      { id: "d3", name: "issue_refund", args: { orderId: "A-1", amount: -5 } },
      { id: "d4", name: "send_bitcoin", args: { to: "attacker" } },
      { id: "d5", name: "issue_refund", args: { orderId: "A-404", amount: 20 } },
      { id: "d6", name: "issue_refund", args: { orderId: "A-2", amount: 20 } },
    ]);
    const tools = governedToolNode(allTools, options());
    const { graph, seen } = reactGraph([turn], tools);
    const done = (await graph.invoke(
      { messages: [{ role: "user", content: "go" }] },
      { configurable: { thread_id: "t-refusals" } },
    )) as Interrupted;

    expect(done.__interrupt__).toBeUndefined();
    const replies = Object.fromEntries(
      toolReplies(done.messages).map((reply) => [reply.tool_call_id, reply]),
    );
    expect(replies.d1?.status).toBe("success");
    expect(replies.d2?.content).toMatch(/Refused by identity: agent:support lacks scope accounts:admin/);
    expect(replies.d3?.content).toMatch(/refused by its contract: amount/);
    expect(replies.d4?.content).toMatch(/Refused by tool: no tool named send_bitcoin/);
    expect(replies.d5?.content).toMatch(/Precondition failed: order A-404 does not exist/);
    expect(replies.d6?.status).toBe("success");
    expect(ran).toEqual({ get_order: 1, issue_refund: 1, cancel_order: 0, wipe_account: 0 });
    expect(seen).toHaveLength(2);
  });

  it("denies by policy with its reasons, when the facts say so", async () => {
    const turn = aiCalls([{ id: "f1", name: "issue_refund", args: { orderId: "A-1", amount: 20 } }]);
    const base = options();
    const flagged = options({
      govern: {
        ...base.govern,
        issue_refund: { ...base.govern.issue_refund, context: () => ({ flagged: true }) },
      } as GovernedToolsOptions["govern"],
    });
    const { graph } = reactGraph([turn], governedToolNode(allTools, flagged));
    const done = (await graph.invoke(
      { messages: [] },
      { configurable: { thread_id: "t-flagged" } },
    )) as Interrupted;
    const [reply] = toolReplies(done.messages);
    expect(reply?.status).toBe("error");
    expect(reply?.content).toMatch(/Refused by policy: .*flagged accounts get no refunds/);
    expect(ran.issue_refund).toBe(0);
  });

  it("treats a tool-call id the model reuses in a later turn as a new call (ran again, not read back)", async () => {
    const again = (amount: number) =>
      aiCalls([{ id: "call_0", name: "issue_refund", args: { orderId: "A-1", amount } }]);
    const { graph } = reactGraph([again(20), again(20)], governedToolNode(allTools, options()));
    const done = (await graph.invoke(
      { messages: [] },
      { configurable: { thread_id: "t-reused-ids" } },
    )) as Interrupted;
    expect(toolReplies(done.messages).map((reply) => reply.status)).toEqual(["success", "success"]);
    expect(ran.issue_refund).toBe(2);
  });

  it("refuses duplicate ids within one message and calls past the per-turn cap, audited", async () => {
    const turn = aiCalls([
      { id: "x", name: "get_order", args: { orderId: "A-1" } },
      { id: "x", name: "get_order", args: { orderId: "A-2" } },
      { id: "y", name: "get_order", args: { orderId: "A-3" } },
      { id: "z", name: "get_order", args: { orderId: "A-4" } },
    ]);
    const { graph } = reactGraph([turn], governedToolNode(allTools, options({ maxCallsPerTurn: 3 })));
    const done = (await graph.invoke(
      { messages: [] },
      { configurable: { thread_id: "t-bad-ids" } },
    )) as Interrupted;
    const replies = toolReplies(done.messages);
    expect(replies.filter((reply) => reply.tool_call_id === "x").map((reply) => reply.content)).toEqual([
      expect.stringMatching(/used by 2 calls of one message/),
      expect.stringMatching(/used by 2 calls of one message/),
    ]);
    expect(replies.find((reply) => reply.tool_call_id === "z")?.content).toMatch(
      /at most 3 are decided per turn/,
    );
    expect(replies.find((reply) => reply.tool_call_id === "y")?.status).toBe("success");
    expect(ran.get_order).toBe(1);
    const refused = store.audit.list("t-bad-ids").filter((record) => record.outcome === "refused");
    expect(refused).toHaveLength(3);
  });

  it("lets configurable.principal narrow the agent, never widen it", async () => {
    const turn = aiCalls([{ id: "p1", name: "issue_refund", args: { orderId: "A-1", amount: 20 } }]);
    const { graph } = reactGraph([turn], governedToolNode(allTools, options()));
    const narrowed = {
      id: "agent:support/user:u1",
      kind: "delegated",
      agentId: "support",
      userId: "u1",
      scopes: ["orders:read"],
    };
    const done = (await graph.invoke(
      { messages: [] },
      { configurable: { thread_id: "t-narrow", principal: narrowed } },
    )) as Interrupted;
    expect(toolReplies(done.messages)[0]?.content).toMatch(/lacks scope refunds:write/);

    const widened = {
      id: "agent:support",
      kind: "agent",
      agentId: "support",
      scopes: ["refunds:write", "accounts:admin"],
    };
    await expect(
      reactGraph([turn], governedToolNode(allTools, options())).graph.invoke(
        { messages: [] },
        { configurable: { thread_id: "t-widen", principal: widened } },
      ),
    ).rejects.toThrow(/claims scopes accounts:admin/);
    expect(ran.issue_refund).toBe(0);
  });

  it("refuses at construction a tool with no governance, or a write tool with no precondition", () => {
    const base = options();
    expect(() =>
      governedToolNode(
        [getOrder, wipeAccount],
        options({ govern: { get_order: base.govern.get_order } as never }),
      ),
    ).toThrow(/Tool wipe_account has no entry in govern/);
    expect(() =>
      governedToolNode([cancelOrder], options({ govern: { cancel_order: { scopes: [], risk: "write" } } })),
    ).toThrow(/needs a precondition/);
    expect(() => governedToolNode([getOrder], options({ govern: { ...base.govern } }))).toThrow(
      /names no tool given/,
    );
    expect(() =>
      governedToolNode([getOrder], {
        ...options({ govern: { get_order: base.govern.get_order as never } }),
        store: undefined,
      }),
    ).toThrow(/needs an audit journal and an effect journal/);
  });
  it("an approval given under one policy lapses when the policy changes before the call runs", async () => {
    const checkpointer = new MemorySaver();
    const config = { configurable: { thread_id: "t-policy-change" } };
    const before = reactGraph([parallelTurn], governedToolNode(allTools, options()), checkpointer).graph;
    const batch = batchOf((await before.invoke({ messages: [] }, config)) as Interrupted);
    const refund = batch.requests[0] as ApprovalBinding;

    // The same graph and thread, served with stricter rules (a new policy version).
    const stricter = new RulePolicyEngine([
      { id: "reads", actions: ["get_order"], effect: "permit", reason: "support reads orders" },
      { id: "refunds", actions: ["issue_refund"], effect: "permit", reason: "support refunds" },
      {
        id: "all-refunds-need-human",
        actions: ["issue_refund"],
        effect: "require-approval",
        reason: "every refund needs a supervisor now",
      },
      { id: "cancels", actions: ["cancel_order"], effect: "permit", reason: "support cancels" },
      {
        id: "cancels-need-human",
        actions: ["cancel_order"],
        effect: "require-approval",
        reason: "a human confirms cancels",
      },
    ]);
    const after = reactGraph(
      [parallelTurn],
      governedToolNode(allTools, options({ policy: stricter })),
      checkpointer,
    ).graph;
    const again = batchOf(
      (await after.invoke(new Command({ resume: { token: await sign(refund) } }), config)) as Interrupted,
    );
    expect(again.requests.map((request) => request.tool)).toEqual(["issue_refund", "cancel_order"]);
    expect(again.requests[0]?.requestId).not.toBe(refund.requestId);
    expect(again.requests[0]?.reasons).toEqual(["every refund needs a supervisor now"]);
    expect(again.refusedAnswer).toMatch(/not pending here/);
    expect(ran.issue_refund).toBe(0);
  });

  it("stops the run when the agent's kill switch is engaged or its user's delegation has lapsed; nothing runs", async () => {
    const turn = aiCalls([{ id: "k1", name: "get_order", args: { orderId: "A-1" } }]);
    store.kills.kill({ agent: "support", reason: "incident 7", by: "ops" });
    const killed = reactGraph([turn], governedToolNode(allTools, options())).graph;
    await expect(
      killed.invoke({ messages: [] }, { configurable: { thread_id: "t-killed" } }),
    ).rejects.toThrow(/kill switch is engaged \(incident 7\)/);
    store.kills.unkill({ agent: "support" });

    const lapsed = {
      id: "agent:support/user:u1",
      kind: "delegated",
      agentId: "support",
      userId: "u1",
      scopes: ["orders:read"],
      delegation: { jti: "d-1", expiresAt: new Date(Date.now() - 1000).toISOString() },
    };
    const graph = reactGraph([turn], governedToolNode(allTools, options())).graph;
    await expect(
      graph.invoke({ messages: [] }, { configurable: { thread_id: "t-lapsed", principal: lapsed } }),
    ).rejects.toThrow(/delegation from user u1 \(token d-1\) expired/);
    expect(ran.get_order).toBe(0);
    const stops = store.audit.list().filter((record) => record.outcome === "stopped");
    expect(stops.map((record) => record.kind)).toEqual(["kill", "identity"]);
  });
  it("refuses on resume a call the policy has denied since it went to a human, and the journal says why", async () => {
    const checkpointer = new MemorySaver();
    const config = { configurable: { thread_id: "t-now-denied" } };
    let flagged = false;
    const base = options();
    const facts = options({
      govern: {
        ...base.govern,
        issue_refund: { ...base.govern.issue_refund, context: () => ({ flagged }) },
      } as GovernedToolsOptions["govern"],
    });
    const { graph } = reactGraph([parallelTurn], governedToolNode(allTools, facts), checkpointer);
    const batch = batchOf((await graph.invoke({ messages: [] }, config)) as Interrupted);
    const [refund, cancel] = batch.requests;

    flagged = true; // the CRM flags the account while the supervisor reads the request
    const done = (await graph.invoke(
      new Command({
        resume: { tokens: [await sign(refund as ApprovalBinding), await sign(cancel as ApprovalBinding)] },
      }),
      config,
    )) as Interrupted;
    expect(done.__interrupt__).toBeUndefined();
    const replies = Object.fromEntries(
      toolReplies(done.messages).map((reply) => [reply.tool_call_id, reply]),
    );
    expect(replies.c2?.content).toMatch(/Refused by policy: .*flagged accounts get no refunds/);
    expect(replies.c3?.status).toBe("success");
    expect(ran).toEqual({ get_order: 1, issue_refund: 0, cancel_order: 1, wipe_account: 0 });
    const refundPolicy = store.audit
      .list("t-now-denied")
      .filter((record) => record.kind === "policy" && record.tool === "issue_refund")
      .map((record) => [record.outcome, record.data.redecided ?? false]);
    expect(refundPolicy).toEqual([
      ["require-approval", false],
      ["deny", true],
    ]);
  });
  it("resumes in a fresh process (new store handle, SQLite checkpoints): same requests, nothing re-run", async () => {
    const config = { configurable: { thread_id: "t-restart" } };
    const firstNode = governedToolNode(allTools, options());
    const before = reactGraph([parallelTurn], firstNode, store.checkpointer).graph;
    const batch = batchOf((await before.invoke({ messages: [] }, config)) as Interrupted);
    const [refund] = batch.requests;
    const approved = await sign(refund as ApprovalBinding);
    store.close();

    // What a restarted server holds: the same directory, new handles, a new node and graph.
    store = new GovernorStore(dir);
    const after = reactGraph([parallelTurn], governedToolNode(allTools, options()), store.checkpointer).graph;
    const again = batchOf(
      (await after.invoke(new Command({ resume: { token: approved } }), config)) as Interrupted,
    );
    expect(again.refusedAnswer).toBeUndefined();
    expect(again.requests.map((request) => request.requestId)).toEqual([batch.requests[1]?.requestId]);
    expect(ran).toEqual({ get_order: 1, issue_refund: 1, cancel_order: 0, wipe_account: 0 });
  });
  it("a decision refused as issued in the future stays refused when replayed later, so the approver's later rejection decides", async () => {
    const HOUR = 60 * 60 * 1000;
    let clock = Date.now();
    const { graph } = reactGraph([parallelTurn], governedToolNode(allTools, options({ now: () => clock })));
    const config = { configurable: { thread_id: "t-future-token" } };
    const batch = batchOf((await graph.invoke({ messages: [] }, config)) as Interrupted);
    const refund = batch.requests[0] as ApprovalBinding;
    const cancel = batch.requests[1] as ApprovalBinding;
    const at = (when: number, decision: "approve" | "reject") =>
      signApprovalDecision(store.tokenKeys, {
        approver: "supervisor:sam",
        decision,
        request: refund,
        now: new Date(when),
      });

    const early = await at(clock + HOUR, "approve");
    let again = batchOf(
      (await graph.invoke(new Command({ resume: { token: early } }), config)) as Interrupted,
    );
    expect(again.requests).toHaveLength(2);
    expect(again.refusedAnswer).toBeDefined();

    // An hour later the early token would verify; LangGraph replays it before the new answer.
    clock += HOUR + 60_000;
    again = batchOf(
      (await graph.invoke(
        new Command({ resume: { token: await at(clock, "reject") } }),
        config,
      )) as Interrupted,
    );
    expect(again.requests.map((request) => request.requestId)).toEqual([cancel.requestId]);
    const done = (await graph.invoke(
      new Command({
        resume: {
          token: await signApprovalDecision(store.tokenKeys, {
            approver: "supervisor:sam",
            decision: "reject",
            request: cancel,
            now: new Date(clock),
          }),
        },
      }),
      config,
    )) as Interrupted;
    const replies = Object.fromEntries(
      toolReplies(done.messages).map((reply) => [reply.tool_call_id, reply]),
    );
    expect(replies.c2?.content).toMatch(/^Rejected by supervisor:sam/);
    expect(ran.issue_refund).toBe(0);
    const decided = store.audit
      .list("t-future-token")
      .filter((record) => record.kind === "approval" && record.tool === "issue_refund")
      .map((record) => record.outcome);
    expect(decided).toEqual(["requested", "refused", "rejected"]);
  });
  it("refuses a call whose policy engine answers an effect it does not define; the sibling still runs", async () => {
    const mumbling: PolicyEngine = {
      version: "mumbling-1",
      decide: (request) =>
        request.action === "issue_refund"
          ? ({ effect: "yes please", reasons: [], policyIds: [], policyVersion: "mumbling-1" } as never)
          : policy.decide(request),
    };
    const turn = aiCalls([
      { id: "m1", name: "issue_refund", args: { orderId: "A-1", amount: 20 } },
      { id: "m2", name: "get_order", args: { orderId: "A-1" } },
    ]);
    const { graph } = reactGraph([turn], governedToolNode(allTools, options({ policy: mumbling })));
    const done = (await graph.invoke(
      { messages: [] },
      { configurable: { thread_id: "t-mumble" } },
    )) as Interrupted;
    expect(done.__interrupt__).toBeUndefined();
    const replies = Object.fromEntries(
      toolReplies(done.messages).map((reply) => [reply.tool_call_id, reply]),
    );
    expect(replies.m1?.status).toBe("error");
    expect(replies.m1?.content).toMatch(/^Refused by policy/);
    expect(replies.m2?.status).toBe("success");
    expect(ran).toEqual({ get_order: 1, issue_refund: 0, cancel_order: 0, wipe_account: 0 });
  });
});
