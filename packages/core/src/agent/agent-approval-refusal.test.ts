import { defineIdentity, hs256Keys, signApprovalDecision } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tempRuntimes } from "../../test/support/billing-desk.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { GovernorEvent } from "../graph/events.js";
import type { GovernorRuntime } from "../runtime/governor-runtime.js";
import { defineTool } from "../tools/define-tool.js";
import { defineWorkflow, END, START, type Workflow } from "../workflow/define-workflow.js";

/** An agent turn whose one refund policy sends to a human: what a refused answer leaves on the batch. */
const DESK = "You work the refund desk";

function refundDesk(refunds: unknown[]): Workflow {
  const refund = defineTool({
    name: "issue_refund",
    description: "Refund an order",
    input: z.object({ orderId: z.string(), amount: z.number().positive() }).strict(),
    scopes: ["refunds:write"],
    risk: "write",
    handler: (args) => {
      refunds.push(args);
      return { refundId: `R-${refunds.length}` };
    },
  });
  return defineWorkflow({
    name: "refund-desk",
    state: z.object({ request: z.string(), reply: z.string().optional() }),
    agent: { id: "desk", scopes: ["refunds:write"] },
    approvers: defineIdentity({
      roles: { supervisor: ["approvals:desk"], worker: ["refunds:write"] },
      agents: { desk: { roles: ["worker"] } },
      approvers: { "supervisor:sam": { roles: ["supervisor"] } },
    }),
    tools: [refund],
    policy: new RulePolicyEngine([
      { id: "desk-refunds", effect: "permit", actions: ["issue_refund"], reason: "desk" },
      {
        id: "refunds-need-a-human",
        effect: "require-approval",
        actions: ["issue_refund"],
        reason: "a supervisor approves",
      },
    ]),
    nodes: {
      desk: {
        kind: "agent",
        instructions: DESK,
        input: (state) => state.request,
        tools: ["issue_refund"],
        maxTurns: 3,
        govern: { issue_refund: { sufficient: { reason: "the policy decides refunds" } } },
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "desk"],
      ["desk", END],
    ],
  });
}

const model = () => ({
  model: new ScenarioChatModel(
    defineScenario({
      name: "refund-desk",
      turns: [
        {
          when: { system: new RegExp(DESK), lastRole: "human" },
          reply: {
            text: "Refunding.",
            toolCalls: [{ name: "issue_refund", args: { orderId: "A-7", amount: 80 } }],
          },
        },
        { when: { system: new RegExp(DESK) }, reply: { text: "Done." } },
      ],
    }),
  ),
});

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
});
afterEach(() => temp.cleanup());

describe("a refused answer to an agent turn's approvals", () => {
  it("is a typed refusal on each request, counted by attempt, and an error event on the stream", async () => {
    const refunds: unknown[] = [];
    const workflow = refundDesk(refunds);
    const started = await runtime.start(workflow, { request: "refund A-7" }, model());
    expect(started.status).toBe("waiting");
    expect(started.approval?.refusal).toBeUndefined();

    // Answers of the right shape that decide nothing: not a JWT, not signed by the store's
    // keys, and a real decision signed for another call (the runtime refuses other shapes itself).
    const request = started.approval as ApprovalRequest;
    const otherCall = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "supervisor:sam",
      decision: "approve",
      request: { ...request, callHash: "0".repeat(64) },
    });
    const forged = await signApprovalDecision(hs256Keys(Buffer.alloc(32, 7)), {
      approver: "supervisor:sam",
      decision: "approve",
      request,
    });
    const wrong: unknown[] = [{ token: "x".repeat(40) }, { tokens: [forged] }, { token: otherCall }];
    for (const [attempt, answer] of wrong.entries()) {
      const events: GovernorEvent[] = [];
      const after = await runtime.resume(workflow, started.threadId, answer, {
        ...model(),
        onEvent: (event) => events.push(event),
      });
      expect(after.status).toBe("waiting");
      expect(after.approval?.refusal).toEqual({
        code: "APPROVAL_INVALID",
        reason: expect.any(String),
        attempt,
      });
      expect(after.approval?.refusedAnswer).toBe(after.approval?.refusal?.reason);
      const refused = events.filter((event) => event.type === "approval-refused");
      expect(refused.at(-1)).toMatchObject({
        code: "APPROVAL_INVALID",
        attempt,
        reason: after.approval?.refusal?.reason,
      });
    }
    expect(refunds).toEqual([]);

    const done = await runtime.decide(
      workflow,
      started.threadId,
      { approver: "supervisor:sam", decision: "approve" },
      model(),
    );
    expect(done.status).toBe("completed");
    expect(refunds).toHaveLength(1);
  });
});
