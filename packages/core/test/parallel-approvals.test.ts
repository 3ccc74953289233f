import {
  type ApprovalRequest,
  defineTool,
  defineWorkflow,
  END,
  GovernorError,
  type GovernorRuntime,
  type RunOutcome,
  START,
  type Workflow,
} from "@governor/core";
import { defineIdentity, signApprovalDecision } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tempRuntimes } from "./support/billing-desk.js";

/**
 * An agent turn that proposes two writes at once, both of which policy sends to a human:
 * the run waits for two requests, and the runtime lets approvers answer each on its own or
 * both together, from this process or another. Effects are counted per handler.
 */
const DESK = "You work the account desk";

interface Effects {
  refunds: { orderId: string; amount: number }[];
  addresses: { customerId: string; address: string }[];
}

function accountDesk(effects: Effects): Workflow {
  const refund = defineTool({
    name: "issue_refund",
    description: "Refund an order",
    input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
    scopes: ["refunds:write"],
    risk: "write",
    handler: (args) => {
      effects.refunds.push(args);
      return { refundId: `R-${effects.refunds.length}` };
    },
  });
  const address = defineTool({
    name: "change_address",
    description: "Change a customer's address",
    input: z.object({ customerId: z.string(), address: z.string() }).strict(),
    scopes: ["customers:write"],
    risk: "write",
    handler: (args) => {
      effects.addresses.push(args);
      return { changed: true };
    },
  });
  return defineWorkflow({
    name: "account-desk",
    state: z.object({ request: z.string(), reply: z.string().optional() }),
    agent: { id: "desk", scopes: ["refunds:write", "customers:write"] },
    approvers: defineIdentity({
      roles: { supervisor: ["approvals:desk"], worker: ["refunds:write"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { "supervisor:sam": { roles: ["supervisor"] } },
    }),
    tools: [refund, address],
    policy: new RulePolicyEngine([
      { id: "desk-writes", effect: "permit", actions: ["issue_refund", "change_address"], reason: "desk" },
      {
        id: "writes-need-a-human",
        effect: "require-approval",
        actions: ["issue_refund", "change_address"],
        reason: "every write is approved by a supervisor",
      },
    ]),
    nodes: {
      desk: {
        kind: "agent",
        instructions: DESK,
        input: (state) => state.request,
        tools: ["issue_refund", "change_address"],
        maxTurns: 3,
        govern: {
          issue_refund: { sufficient: { reason: "the policy decides refunds" } },
          change_address: { sufficient: { reason: "the policy decides address changes" } },
        },
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "desk"],
      ["desk", END],
    ],
  });
}

/** Turn 1: a refund and an address change in one message; afterwards: a final answer. */
function deskModel() {
  return new ScenarioChatModel(
    defineScenario({
      name: "account-desk",
      turns: [
        {
          when: { system: new RegExp(DESK), lastRole: "human" },
          reply: {
            text: "Refunding and updating the address.",
            toolCalls: [
              { name: "issue_refund", args: { orderId: "A-7", amount: 80 } },
              { name: "change_address", args: { customerId: "C-1", address: "1 Elm St" } },
            ],
          },
        },
        { when: { system: new RegExp(DESK) }, reply: { text: "All handled." } },
      ],
    }),
  );
}

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let effects: Effects;
let workflow: Workflow;
const model = () => ({ model: deskModel() });

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  effects = { refunds: [], addresses: [] };
  workflow = accountDesk(effects);
});
afterEach(() => temp.cleanup());

const SAM = { approver: "supervisor:sam" } as const;

/** Starts a run that waits for both writes; returns the outcome and each tool's request. */
async function waitingForBoth() {
  const outcome = await runtime.start(workflow, { request: "refund A-7 and move me" }, model());
  expect(outcome.status).toBe("waiting");
  const byTool = (tool: string) =>
    outcome.approvals?.find((request) => request.tool === tool) as ApprovalRequest;
  return { outcome, refund: byTool("issue_refund"), address: byTool("change_address") };
}

async function pendingIds(threadId: string, on: GovernorRuntime = runtime): Promise<string[]> {
  return (await on.pending())
    .filter((entry) => entry.run.threadId === threadId)
    .map((entry) => entry.request.requestId);
}

function tokenFor(request: ApprovalRequest, decision: "approve" | "reject" = "approve") {
  return signApprovalDecision(runtime.store.tokenKeys, { ...SAM, decision, request });
}

async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the call to throw"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

function toolErrors(outcome: RunOutcome): string[] {
  const messages = (outcome.state.messages ?? []) as {
    getType?: () => string;
    content?: unknown;
    status?: string;
  }[];
  return messages
    .filter((message) => message.getType?.() === "tool" && message.status === "error")
    .map((message) => String(message.content));
}

describe("a run waiting for two approvals at once", () => {
  it("lists both requests, each bound to its own call, in the outcome, the checkpoint and the listing", async () => {
    const { outcome, refund, address } = await waitingForBoth();

    expect(outcome.approvals).toHaveLength(2);
    expect(outcome.approval).toEqual(outcome.approvals?.[0]);
    expect(refund.requestId).not.toBe(address.requestId);
    expect(refund.callHash).not.toBe(address.callHash);
    expect(refund.args).toEqual({ orderId: "A-7", amount: 80 });
    expect(
      (await runtime.pendingApprovals(workflow, outcome.threadId, model())).map((r) => r.requestId),
    ).toEqual(outcome.approvals?.map((r) => r.requestId));
    expect((await pendingIds(outcome.threadId)).sort()).toEqual([refund.requestId, address.requestId].sort());
    expect(effects).toEqual({ refunds: [], addresses: [] });
  });

  it("approving one by its request id runs exactly that call, once, while the other stays pending", async () => {
    const { outcome, refund, address } = await waitingForBoth();

    const after = await runtime.decide(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "approve", requestId: refund.requestId },
      model(),
    );

    expect(effects.refunds).toEqual([{ orderId: "A-7", amount: 80 }]);
    expect(effects.addresses).toEqual([]);
    expect(after.status).toBe("waiting");
    expect(after.approvals?.map((request) => request.requestId)).toEqual([address.requestId]);
    expect((await runtime.getRun(outcome.threadId)).status).toBe("waiting");
    expect(await pendingIds(outcome.threadId)).toEqual([address.requestId]);

    const done = await runtime.decide(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "approve", requestId: address.requestId },
      model(),
    );

    expect(done.status).toBe("completed");
    expect(done.state.reply).toBe("All handled.");
    // Resuming for the address re-ran nothing: the refund is still the one refund.
    expect(effects.refunds).toHaveLength(1);
    expect(effects.addresses).toEqual([{ customerId: "C-1", address: "1 Elm St" }]);
    expect(await pendingIds(outcome.threadId)).toEqual([]);
  });

  it("rejecting one does not hold up the other: the model hears the rejection, the other still runs", async () => {
    const { outcome, refund, address } = await waitingForBoth();

    const after = await runtime.decide(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "reject", reason: "no refund for this order", requestId: refund.requestId },
      model(),
    );
    expect(after.status).toBe("waiting");
    expect(after.approvals?.map((request) => request.requestId)).toEqual([address.requestId]);

    const done = await runtime.decide(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "approve", requestId: address.requestId },
      model(),
    );

    expect(done.status).toBe("completed");
    expect(effects.refunds).toEqual([]);
    expect(effects.addresses).toHaveLength(1);
    expect(toolErrors(done).some((text) => text.includes("no refund for this order"))).toBe(true);
  });

  it("never guesses which request a decision is for: decide without a request id is refused", async () => {
    const { outcome, refund, address } = await waitingForBoth();

    const error = await rejection(
      runtime.decide(workflow, outcome.threadId, { ...SAM, decision: "approve" }, model()),
    );
    const unknown = await rejection(
      runtime.decide(
        workflow,
        outcome.threadId,
        { ...SAM, decision: "approve", requestId: "apr_nope" },
        model(),
      ),
    );

    expect(error.code).toBe("RESUME_INVALID");
    expect(error.message).toContain(refund.requestId);
    expect(error.message).toContain(address.requestId);
    expect(unknown.code).toBe("RESUME_INVALID");
    expect(effects).toEqual({ refunds: [], addresses: [] });
    expect(await pendingIds(outcome.threadId)).toHaveLength(2);
  });

  it("decideAll signs one decision per request and resumes once: each call runs exactly once", async () => {
    const { outcome } = await waitingForBoth();

    const done = await runtime.decideAll(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "approve" },
      model(),
    );

    expect(done.status).toBe("completed");
    expect(effects.refunds).toHaveLength(1);
    expect(effects.addresses).toHaveLength(1);
    const approved = runtime.store.audit
      .list(outcome.threadId)
      .filter((record) => record.kind === "approval" && record.outcome === "approved");
    expect(approved).toHaveLength(2);
    expect(
      await rejection(
        runtime.decideAll(workflow, outcome.threadId, { ...SAM, decision: "approve" }, model()),
      ),
    ).toMatchObject({
      code: "RUN_NOT_INTERRUPTED",
    });
  });

  it("decideAll rejecting leaves nothing run, and the model hears both rejections", async () => {
    const { outcome } = await waitingForBoth();

    const done = await runtime.decideAll(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "reject", reason: "not today" },
      model(),
    );

    expect(done.status).toBe("completed");
    expect(effects).toEqual({ refunds: [], addresses: [] });
    expect(toolErrors(done).filter((text) => text.includes("not today"))).toHaveLength(2);
  });

  it("refuses a token for request A once only B is pending, and a replayed one: B stays pending, A ran once", async () => {
    const { outcome, refund, address } = await waitingForBoth();
    const approveRefund = await tokenFor(refund);
    await runtime.resume(workflow, outcome.threadId, { token: approveRefund }, model());
    expect(effects.refunds).toHaveLength(1);

    const replayed = await runtime.resume(workflow, outcome.threadId, { token: approveRefund }, model());
    const fresh = await runtime.resume(
      workflow,
      outcome.threadId,
      { tokens: [await tokenFor(refund, "reject")] },
      model(),
    );

    for (const after of [replayed, fresh]) {
      expect(after.status).toBe("waiting");
      expect(after.approvals?.map((request) => request.requestId)).toEqual([address.requestId]);
      expect(after.approval?.refusedAnswer).toContain(refund.requestId);
    }
    expect(effects.refunds).toHaveLength(1);
    expect(effects.addresses).toEqual([]);
    expect(await pendingIds(outcome.threadId)).toEqual([address.requestId]);
    const refused = runtime.store.audit
      .list(outcome.threadId)
      .filter((record) => record.kind === "approval" && record.outcome === "refused");
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });

  it("applies a decision only to the call it was signed for: B's request id with A's call hash decides nothing", async () => {
    const { outcome, refund, address } = await waitingForBoth();
    const crossed = await signApprovalDecision(runtime.store.tokenKeys, {
      ...SAM,
      decision: "approve",
      request: { ...address, callHash: refund.callHash },
    });

    const after = await runtime.resume(workflow, outcome.threadId, { tokens: [crossed, crossed] }, model());

    expect(after.status).toBe("waiting");
    expect(after.approvals).toHaveLength(2);
    expect(effects).toEqual({ refunds: [], addresses: [] });
  });

  it("answers both with one { tokens } resume, counting a duplicate token once", async () => {
    const { outcome, refund, address } = await waitingForBoth();
    const [forRefund, forAddress] = [await tokenFor(refund), await tokenFor(address)];

    const done = await runtime.resume(
      workflow,
      outcome.threadId,
      { tokens: [forRefund, forRefund, forAddress] },
      model(),
    );

    expect(done.status).toBe("completed");
    expect(effects.refunds).toHaveLength(1);
    expect(effects.addresses).toHaveLength(1);
  });

  it("refuses a malformed answer at the door and refuses to recover a run that waits for a batch", async () => {
    const { outcome } = await waitingForBoth();

    const malformed = await rejection(
      runtime.resume(
        workflow,
        outcome.threadId,
        { decision: "approve", approver: "supervisor:sam" },
        model(),
      ),
    );
    const recovered = await rejection(runtime.recover(workflow, outcome.threadId, model()));

    expect(malformed.code).toBe("RESUME_INVALID");
    expect(recovered.code).toBe("RUN_NOT_RESUMABLE");
    expect(effects).toEqual({ refunds: [], addresses: [] });
    expect(await pendingIds(outcome.threadId)).toHaveLength(2);
  });

  it("shows the same pending list to a second process, which can decide one of them", async () => {
    const { outcome, refund, address } = await waitingForBoth();
    await runtime.close();

    const other = temp.open();
    expect((await pendingIds(outcome.threadId, other)).sort()).toEqual(
      [refund.requestId, address.requestId].sort(),
    );
    expect(
      (await other.pendingApprovals(workflow, outcome.threadId, model())).map((r) => r.requestId).sort(),
    ).toEqual([refund.requestId, address.requestId].sort());

    const after = await other.decide(
      workflow,
      outcome.threadId,
      { ...SAM, decision: "approve", requestId: address.requestId },
      model(),
    );

    expect(after.status).toBe("waiting");
    expect(effects.addresses).toHaveLength(1);
    expect(effects.refunds).toEqual([]);
    expect(await pendingIds(outcome.threadId, other)).toEqual([refund.requestId]);
  });
});
