import {
  budgetGrantBinding,
  defineTool,
  defineWorkflow,
  END,
  type GovernorRuntime,
  type RunOutcome,
  START,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from "@governor/core";
import { type ApprovalBinding, defineIdentity, signApprovalDecision } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { attacker, proposing } from "./support/attacker.js";
import { guardedCall } from "./support/guarded-call.js";
import { auditOf, executions, type Harness, harness } from "./support/harness.js";

/**
 * Approvals are bound to their run, their node and their request: a decision signed for one
 * request approves that request and nothing else, however identical the call. Every test
 * counts the refunds the payments ledger really made.
 */

const MARKER = "You work the refund desk";
const refundState = z.object({ request: z.string(), reply: z.string().optional() });
type RefundState = z.output<typeof refundState>;

interface Desk {
  readonly workflow: Workflow;
  readonly refunds: { orderId: string; amount: number }[];
}

/** A refund desk with `rounds` proposing rounds; refunds over $500 wait for a supervisor. */
function refundDesk(rounds = 1): Desk {
  const refunds: Desk["refunds"] = [];
  const issueRefund = defineTool({
    name: "issue_refund",
    description: "Refund an order",
    input: z.object({ orderId: z.string(), amount: z.number().int().positive() }).strict(),
    scopes: ["refunds:write"],
    risk: "write",
    handler: (args) => {
      refunds.push(args);
      return { refundId: `R-${refunds.length}` };
    },
  });
  const nodes: Record<string, WorkflowNode<RefundState>> = {
    respond: { kind: "model", instructions: "Write the reply", onReply: (_s, text) => ({ reply: text }) },
  };
  const edges: WorkflowEdge[] = [
    [START, "propose1"],
    ["respond", END],
  ];
  for (let round = 1; round <= rounds; round++) {
    const next = round < rounds ? `propose${round + 1}` : "respond";
    const guarded = guardedCall<RefundState>({
      id: `refund${round}`,
      tool: "issue_refund",
      requiredScope: "approvals:refunds",
      next,
    });
    Object.assign(nodes, guarded.nodes, {
      [`propose${round}`]: {
        kind: "model",
        instructions: MARKER,
        input: (state: RefundState) => (round === 1 ? state.request : `Round ${round}`),
        tools: ["issue_refund"],
      },
      [`route${round}`]: {
        kind: "route",
        branches: ["refund", "answer"],
        decide: (_state: RefundState, proposal: unknown) => (proposal ? "refund" : "answer"),
      },
    });
    edges.push(
      [`propose${round}`, `route${round}`],
      [`route${round}`, `refund${round}_check`, "refund"],
      [`route${round}`, next, "answer"],
      ...guarded.edges,
    );
  }
  const workflow = defineWorkflow({
    name: "bound-refunds",
    state: refundState,
    agent: { id: "support", scopes: ["refunds:write"] },
    approvers: defineIdentity({
      roles: { agent: ["refunds:write"], supervisor: ["approvals:refunds"] },
      agents: { support: { roles: ["agent"] } },
      approvers: { "supervisor:sam": { roles: ["supervisor"] } },
    }),
    tools: [issueRefund],
    policy: new RulePolicyEngine([
      { id: "may-refund", effect: "permit", actions: ["issue_refund"], reason: "support refunds" },
      {
        id: "large-needs-supervisor",
        effect: "require-approval",
        actions: ["issue_refund"],
        when: ({ args }) => Number(args.amount) > 500,
        reason: "refunds above $500 need a supervisor",
      },
    ]),
    // The same refund may be proposed again in a later round (the loop guard allows two).
    budget: { maxIdenticalCalls: 2 },
    nodes,
    edges,
  });
  return { workflow, refunds };
}

const REFUND = { name: "issue_refund", args: { orderId: "A-1002", amount: 1200 } };
const model = () => proposing("bound", new RegExp(MARKER), [REFUND]).model;
const replier = () => attacker("replier", []).model;

let h: Harness;
let runtime: GovernorRuntime;
beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

type Waiting = RunOutcome & { approval: NonNullable<RunOutcome["approval"]> };

async function startWaiting(desk: Desk): Promise<Waiting> {
  const outcome = await runtime.start(
    desk.workflow,
    { request: "The laptop never arrived." },
    { model: model() },
  );
  expect(outcome.status).toBe("waiting");
  expect(outcome.approval?.requestId).toMatch(/^apr_[0-9a-f]{32}$/);
  return outcome as Waiting;
}

async function token(
  request: ApprovalBinding,
  options: { decision?: "approve" | "reject"; expiresIn?: string | number; now?: Date } = {},
) {
  return {
    token: await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "supervisor:sam",
      decision: options.decision ?? "approve",
      request,
      expiresIn: options.expiresIn,
      now: options.now,
    }),
  };
}

function refusals(threadId: string): string[] {
  return auditOf(runtime, threadId, "approval", "refused").map((record) => String(record.data.reason));
}

describe("approval binding", () => {
  it("AB-1 a decision for thread A presented to thread B with the identical call is refused: no refund in B", async () => {
    const desk = refundDesk();
    const a = await startWaiting(desk);
    const b = await startWaiting(desk);
    expect(b.approval.callHash).toBe(a.approval.callHash);
    expect(b.approval.requestId).not.toBe(a.approval.requestId);

    const onB = await runtime.resume(desk.workflow, b.threadId, await token(a.approval), {
      model: replier(),
    });

    expect(onB.status).toBe("waiting");
    expect(desk.refunds).toEqual([]);
    expect(executions(runtime, b.threadId)).toEqual([]);
    expect(refusals(b.threadId)).toEqual([expect.stringContaining("not the pending run")]);
  });

  it("AB-2 a decision for an earlier request of the same run does not approve the same call proposed again", async () => {
    const desk = refundDesk(2);
    const first = await startWaiting(desk);
    // The supervisor signs an approval for round 1 that is never delivered, and a rejection that is.
    const undelivered = await token(first.approval);
    const rejected = await runtime.resume(
      desk.workflow,
      first.threadId,
      await token(first.approval, { decision: "reject" }),
      { model: model() },
    );
    // Round 2: the model proposes the same refund; the same call hash, a new request.
    expect(rejected.status).toBe("waiting");
    expect(rejected.approval?.node).toBe("refund2_approval");
    expect(rejected.approval?.callHash).toBe(first.approval.callHash);
    expect(rejected.approval?.requestId).not.toBe(first.approval.requestId);

    const replayed = await runtime.resume(desk.workflow, first.threadId, undelivered, { model: model() });

    expect(replayed.status).toBe("waiting");
    expect(desk.refunds).toEqual([]);
    expect(executions(runtime, first.threadId)).toEqual([]);
    expect(refusals(first.threadId)).toEqual([expect.stringMatching(/not the pending (node|request)/)]);
  });

  it("AB-3 a long-lived decision is refused however fresh, and one issued in the future too", async () => {
    const desk = refundDesk();
    const waiting = await startWaiting(desk);
    const monthLong = await token(waiting.approval, { expiresIn: "30d" });
    const fromTheFuture = await token(waiting.approval, { now: new Date(Date.now() + 10 * 60 * 1000) });

    for (const answer of [monthLong, fromTheFuture]) {
      const outcome = await runtime.resume(desk.workflow, waiting.threadId, answer, { model: replier() });
      expect(outcome.status).toBe("waiting");
    }

    expect(desk.refunds).toEqual([]);
    expect(executions(runtime, waiting.threadId)).toEqual([]);
    expect(refusals(waiting.threadId)).toEqual([
      expect.stringMatching(/lives 2592000s, longer than the 3600s/),
      expect.stringMatching(/in the future/),
    ]);
  });

  it("AB-4 the decision signed for the request itself refunds exactly once, and the request names its id in the audit", async () => {
    const desk = refundDesk();
    const waiting = await startWaiting(desk);

    const outcome = await runtime.resume(desk.workflow, waiting.threadId, await token(waiting.approval), {
      model: replier(),
    });

    expect(outcome.status).toBe("completed");
    expect(desk.refunds).toEqual([{ orderId: "A-1002", amount: 1200 }]);
    expect(executions(runtime, waiting.threadId)).toEqual(["issue_refund:executed"]);
    const requested = auditOf(runtime, waiting.threadId, "approval", "requested")[0];
    const approved = auditOf(runtime, waiting.threadId, "approval", "approved")[0];
    expect(requested?.data.requestId).toBe(waiting.approval.requestId);
    expect(approved?.data.requestId).toBe(waiting.approval.requestId);
  });

  it("AB-5 the request id is the same on every re-run of the approval node (a refused answer does not change it)", async () => {
    const desk = refundDesk();
    const waiting = await startWaiting(desk);
    const garbage = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: "x".repeat(40) },
      {
        model: replier(),
      },
    );
    expect(garbage.approval?.requestId).toBe(waiting.approval.requestId);
    expect(
      (await runtime.pendingApproval(desk.workflow, waiting.threadId, { model: replier() }))?.requestId,
    ).toBe(waiting.approval.requestId);
    // The decision signed before the refused answer still answers the same request.
    const outcome = await runtime.resume(desk.workflow, waiting.threadId, await token(waiting.approval), {
      model: replier(),
    });
    expect(outcome.status).toBe("completed");
    expect(desk.refunds).toHaveLength(1);
  });

  it("AB-6 runtime.decide signs for the waiting request only, within the request's decision lifetime", async () => {
    const desk = refundDesk();
    const a = await startWaiting(desk);
    const b = await startWaiting(desk);

    const decided = await runtime.decide(
      desk.workflow,
      a.threadId,
      { approver: "supervisor:sam", decision: "approve" },
      {
        model: replier(),
      },
    );

    expect(decided.status).toBe("completed");
    expect(desk.refunds).toHaveLength(1);
    expect((await runtime.getRun(b.threadId)).status).toBe("waiting");
    expect(executions(runtime, b.threadId)).toEqual([]);
  });

  it("AB-7 a budget grant signed for run A does not extend run B waiting at the very same point", async () => {
    const essay = defineWorkflow({
      name: "bound-budget",
      state: z.object({ topic: z.string() }),
      agent: { id: "writer", scopes: [] },
      approvers: defineIdentity({
        roles: { writer: ["essays:write"], owner: ["budgets:extend"] },
        agents: { writer: { roles: ["writer"] } },
        approvers: { "finance:kim": { roles: ["owner"] } },
      }),
      tools: [],
      policy: new RulePolicyEngine([]),
      budget: { maxTokens: 60 },
      nodes: {
        draft: { kind: "model", instructions: "Draft.", input: (s) => `${s.topic} `.repeat(30) },
        refine: { kind: "model", instructions: "Refine.", input: () => "More detail, please. ".repeat(30) },
      },
      edges: [
        [START, "draft"],
        ["draft", "refine"],
        ["refine", END],
      ],
    });
    const writer = attacker("writer", []);
    const a = await runtime.start(essay, { topic: "refunds" }, { model: writer.model });
    const b = await runtime.start(essay, { topic: "refunds" }, { model: writer.model });
    if (!a.budgetRequest || !b.budgetRequest) throw new Error("both runs should wait for budget");
    expect(b.budgetRequest.requestId).not.toBe(a.budgetRequest.requestId);
    const calls = writer.calls.length;
    const extra = { tokens: 100_000 };
    const grantForA = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "finance:kim",
      decision: "approve",
      request: budgetGrantBinding(a.budgetRequest, extra),
    });

    const onB = await runtime.resume(
      essay,
      b.threadId,
      { decision: "extend", extra, token: grantForA },
      {
        model: writer.model,
      },
    );

    expect(onB.status).toBe("waiting");
    expect(onB.budgetRequest?.refusedAnswer).toMatch(/not the pending run/);
    expect(writer.calls.length).toBe(calls);
    const onA = await runtime.resume(
      essay,
      a.threadId,
      { decision: "extend", extra, token: grantForA },
      {
        model: writer.model,
      },
    );
    expect(onA.status).toBe("completed");
    expect(writer.calls.length).toBeGreaterThan(calls);
  });
});
