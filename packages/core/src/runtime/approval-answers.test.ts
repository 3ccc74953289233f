import { GovernorError } from "@governor/errors";
import { hs256Keys, signApprovalDecision } from "@governor/identity";
import { Annotation, Command, END, interrupt, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalResumeValue, requestToDecide } from "./approval-answers.js";
import { approvalInterrupts, finishedTasks, pendingApprovalRequests } from "./run-control.js";

const keys = hs256Keys("a-test-secret-that-is-long-enough-for-hs256-0123456789");

function request(requestId: string, node = "desk.approval"): ApprovalRequest {
  return {
    type: "approval",
    threadId: "t-1",
    node,
    requestId,
    tool: "refund",
    args: { amount: 900 },
    principal: "agent:desk",
    callHash: `hash-${requestId}`,
    policyVersion: "v1",
    reasons: ["over the limit"],
    policyIds: ["needs-approval"],
    requestedAt: "2030-01-01T00:00:00.000Z",
    expiresAt: "2030-01-02T00:00:00.000Z",
  };
}

const token = (forRequest: ApprovalRequest) =>
  signApprovalDecision(keys, { approver: "lead", decision: "approve", request: forRequest });

function thrown(run: () => unknown): GovernorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GovernorError);
    return error as GovernorError;
  }
  return expect.fail("expected a GovernorError");
}

const a = request("apr_a");
const b = request("apr_b");
const c = request("apr_c", "refund_approval");

describe("approvalInterrupts", () => {
  it("reads a single approval and a batch alike, and copies a batch's refusal onto its requests", () => {
    const snapshot = {
      tasks: [
        {
          interrupts: [
            { id: "i-batch", value: { type: "approvals", requests: [a, b], refusedAnswer: "no" } },
          ],
        },
        { interrupts: [{ id: "i-one", value: c }] },
        { interrupts: [{ id: "i-budget", value: { type: "budget", summary: "more" } }] },
      ],
    };

    const found = approvalInterrupts(snapshot);

    expect(found.map((pending) => [pending.id, pending.batch, pending.requests.length])).toEqual([
      ["i-batch", true, 2],
      ["i-one", false, 1],
    ]);
    expect(pendingApprovalRequests(snapshot).map((entry) => [entry.requestId, entry.refusedAnswer])).toEqual([
      ["apr_a", "no"],
      ["apr_b", "no"],
      ["apr_c", undefined],
    ]);
  });
});

describe("requestToDecide", () => {
  it("never guesses among several pending requests", () => {
    const error = thrown(() => requestToDecide("t-1", [a, b], undefined));
    expect(error.code).toBe("RESUME_INVALID");
    expect(error.message).toContain("apr_a, apr_b");
  });

  it("refuses an id that is not pending, and picks the named or only request", () => {
    expect(thrown(() => requestToDecide("t-1", [b], "apr_a")).code).toBe("RESUME_INVALID");
    expect(requestToDecide("t-1", [a, b], "apr_b")).toBe(b);
    expect(requestToDecide("t-1", [a], undefined)).toBe(a);
  });
});

describe("approvalResumeValue", () => {
  it("keeps an approval node to one { token }, as before batches", async () => {
    const single = [{ id: "i-one", batch: false, requests: [c] }];
    const one = await token(c);

    expect(approvalResumeValue("t-1", single, { token: one })).toEqual({ token: one });
    expect(thrown(() => approvalResumeValue("t-1", single, { tokens: [one] })).code).toBe("RESUME_INVALID");
    expect(
      thrown(() => approvalResumeValue("t-1", single, { decision: "approve", approver: "x" })).code,
    ).toBe("RESUME_INVALID");
  });

  it("hands a batch { token } or { tokens } as given: its node verifies and audits each", async () => {
    const batch = [{ id: "i-batch", batch: true, requests: [a, b] }];
    const tokens = [await token(a), await token(b)];

    expect(approvalResumeValue("t-1", batch, { tokens })).toEqual({ tokens });
    expect(approvalResumeValue("t-1", batch, { token: tokens[0] })).toEqual({ token: tokens[0] });
    expect(thrown(() => approvalResumeValue("t-1", batch, { tokens: [] })).code).toBe("RESUME_INVALID");
  });

  it("routes each token to the interrupt holding its request when several wait", async () => {
    const several = [
      { id: "i-batch", batch: true, requests: [a, b] },
      { id: "i-one", batch: false, requests: [c] },
    ];
    const [forA, forB, forC] = [await token(a), await token(b), await token(c)];

    expect(approvalResumeValue("t-1", several, { tokens: [forC, forA, forB] })).toEqual({
      "i-batch": { tokens: [forA, forB] },
      "i-one": { token: forC },
    });
    // Only the interrupt answered is resumed; the other keeps waiting.
    expect(approvalResumeValue("t-1", several, { token: forB })).toEqual({ "i-batch": { token: forB } });
  });

  it("refuses, with several interrupts, a token naming no pending request or two for one approval node", async () => {
    const several = [
      { id: "i-batch", batch: true, requests: [a] },
      { id: "i-one", batch: false, requests: [c] },
    ];
    const stranger = await token(request("apr_elsewhere"));
    const forC = await token(c);

    const unknown = thrown(() => approvalResumeValue("t-1", several, { tokens: [stranger] }));
    expect(unknown.code).toBe("RESUME_INVALID");
    expect(unknown.message).toContain("apr_elsewhere");
    expect(thrown(() => approvalResumeValue("t-1", several, { tokens: ["x".repeat(30)] })).code).toBe(
      "RESUME_INVALID",
    );
    expect(thrown(() => approvalResumeValue("t-1", several, { tokens: [forC, forC] })).code).toBe(
      "RESUME_INVALID",
    );
  });
});

describe("approvalResumeValue against LangGraph's own resume", () => {
  it("resumes only the interrupt a token answers when two branches wait, and hands each its own value", async () => {
    const received: Record<string, unknown[]> = { left: [], right: [] };
    // Each branch writes state when it finishes, as every Governor node does.
    const branch = (name: "left" | "right", pending: ApprovalRequest) => () => {
      received[name]?.push(interrupt(pending));
      return { done: 1 };
    };
    const left = request("apr_left", "left");
    const right = request("apr_right", "right");
    const saver = new MemorySaver();
    const graph = new StateGraph(
      Annotation.Root({ done: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) }),
    )
      .addNode("left", branch("left", left))
      .addNode("right", branch("right", right))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .addEdge("left", END)
      .addEdge("right", END)
      .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: "t-branches" } };
    /** What the runtime reads: the interrupts of the tasks that have not finished. */
    const waiting = async () => {
      const snapshot = await graph.getState(config);
      const saved = await saver.getTuple(snapshot.config);
      return approvalInterrupts(snapshot, finishedTasks(saved?.pendingWrites));
    };
    await graph.invoke({ done: 0 }, config);
    const interrupts = await waiting();
    expect(interrupts.map((pending) => pending.requests[0]?.requestId).sort()).toEqual([
      "apr_left",
      "apr_right",
    ]);

    const forRight = await token(right);
    await graph.invoke(
      new Command({ resume: approvalResumeValue("t-1", interrupts, { token: forRight }) }),
      config,
    );

    expect(received).toEqual({ left: [], right: [{ token: forRight }] });
    // getState() still lists the answered branch's interrupt; its writes say it finished.
    expect((await graph.getState(config)).tasks.filter((task) => task.interrupts.length)).toHaveLength(2);
    const still = await waiting();
    expect(still.flatMap((pending) => pending.requests.map((entry) => entry.requestId))).toEqual([
      "apr_left",
    ]);

    const forLeft = await token(left);
    const done = await graph.invoke(
      new Command({ resume: approvalResumeValue("t-1", still, { token: forLeft }) }),
      config,
    );
    expect(received).toEqual({ left: [{ token: forLeft }], right: [{ token: forRight }] });
    expect(done.done).toBe(2);
    expect(await waiting()).toEqual([]);
  });
});
