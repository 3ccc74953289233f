import type { ApprovalRequest, GovernorRuntime } from "@governor/core";
import { signApprovalDecision } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, credit, deskModel, pinnedDeskPolicy, read, signFor } from "./support/agent-desk.js";
import { auditOf, executions, type Harness, harness, rejection, toolReplies } from "./support/harness.js";

/**
 * Approvals of an agent turn that no longer hold, and answers the runtime must not guess: a
 * policy redeployed while two credits wait, a request that expired, an approver nobody
 * declared, and `decide` with two requests pending and none named. Nothing runs on any of
 * them; effects are counted in the desk's ledger.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const TURN = { toolCalls: [read("A-1"), credit("A-2", 300), credit("A-3", 400)] };
const request = { request: "credit my accounts" };

function pendingPair(requests: readonly ApprovalRequest[] | undefined): [ApprovalRequest, ApprovalRequest] {
  const [a, b] = requests ?? [];
  if (!a || !b) throw new Error("the turn should wait for two approvals");
  return [a, b];
}

describe("agent loop: approvals that lapse or are not guessed", () => {
  it("AP-1 a policy redeployed while two credits wait: both approvals lapse, neither credit runs, the model is told", async () => {
    const before = agentDesk({ policy: pinnedDeskPolicy("desk-rules-v1") });
    const model = deskModel([TURN]);
    const waiting = await runtime.start(before.workflow, request, { model: model.model });
    const [a, b] = pendingPair(waiting.approvals);
    const redeployed = agentDesk({ policy: pinnedDeskPolicy("desk-rules-v2") });

    const outcome = await runtime.resume(
      redeployed.workflow,
      waiting.threadId,
      { tokens: [await signFor(runtime.store.tokenKeys, a), await signFor(runtime.store.tokenKeys, b)] },
      { model: model.model },
    );

    expect(before.effects.credits).toEqual([]);
    expect(redeployed.effects.credits).toEqual([]);
    const lapsed = auditOf(runtime, waiting.threadId, "approval", "rejected");
    expect(lapsed).toHaveLength(2);
    for (const record of lapsed) expect(String(record.data.reason)).toContain("the policy changed");
    expect(executions(runtime, waiting.threadId)).toEqual(["read_account:executed"]);
    expect(toolReplies(outcome.state).filter((reply) => reply.includes("the policy changed"))).toHaveLength(
      2,
    );
    expect(outcome.status).toBe("completed");
  });

  it("AP-2 an approval after the request expired is refused; a rejection is still taken", async () => {
    const start = Date.parse("2030-06-01T09:00:00Z");
    let clock = start;
    const clocked = h.open({ now: () => clock });
    const desk = agentDesk({
      policy: pinnedDeskPolicy(),
      govern: {
        post_credit: { check: () => ({ ok: true }), approval: { expiresInMs: 60 * 60_000 } },
      },
    });
    const model = deskModel([TURN]);
    const waiting = await clocked.start(desk.workflow, request, { model: model.model });
    const [a, b] = pendingPair(waiting.approvals);

    clock = start + 2 * 60 * 60_000;
    // Signed at the runtime's clock, two hours on: the request lived one.
    const signed = (req: ApprovalRequest, decision: "approve" | "reject") =>
      signApprovalDecision(clocked.store.tokenKeys, {
        approver: "supervisor:sam",
        decision,
        request: req,
        now: new Date(clock),
        expiresIn: 300,
      });
    const late = await clocked.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signed(a, "approve") },
      { model: model.model },
    );
    expect(late.status).toBe("waiting");
    expect(late.approvals).toHaveLength(2);
    expect(
      auditOf(runtime, waiting.threadId, "approval", "refused").map((record) => String(record.data.reason)),
    ).toEqual([expect.stringContaining("expired")]);

    const done = await clocked.resume(
      desk.workflow,
      waiting.threadId,
      { tokens: [await signed(a, "reject"), await signed(b, "reject")] },
      { model: model.model },
    );
    expect(desk.effects.credits).toEqual([]);
    expect(auditOf(runtime, waiting.threadId, "approval", "rejected")).toHaveLength(2);
    expect(done.status).toBe("completed");
  });

  it("AP-3 a decision by an approver the workflow never declared is refused; nothing runs", async () => {
    const desk = agentDesk();
    const model = deskModel([TURN]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [a] = pendingPair(waiting.approvals);

    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, a, "approve", { approver: "mallory" }) },
      { model: model.model },
    );

    expect(outcome.status).toBe("waiting");
    expect(outcome.approvals).toHaveLength(2);
    expect(desk.effects.credits).toEqual([]);
    expect(auditOf(runtime, waiting.threadId, "approval", "refused")).toHaveLength(1);
  });

  it("AP-4 decide() with two requests pending and none named is refused (never guessed); naming B decides B only", async () => {
    const desk = agentDesk();
    const model = deskModel([TURN]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [a, b] = pendingPair(waiting.approvals);

    const error = await rejection(
      runtime.decide(
        desk.workflow,
        waiting.threadId,
        { decision: "approve", approver: "supervisor:sam" },
        { model: model.model },
      ),
    );
    expect(error.code).toBe("RESUME_INVALID");
    expect(desk.effects.credits).toEqual([]);

    const afterB = await runtime.decide(
      desk.workflow,
      waiting.threadId,
      { decision: "approve", approver: "supervisor:sam", requestId: b.requestId },
      { model: model.model },
    );
    expect(desk.effects.credits).toEqual([{ account: "A-3", amount: 400 }]);
    expect(afterB.approvals?.map((pending) => pending.requestId)).toEqual([a.requestId]);
  });
});
