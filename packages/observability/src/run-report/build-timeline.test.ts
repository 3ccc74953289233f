import { describe, expect, it } from "vitest";
import { buildRunTimeline } from "./build-timeline.js";
import { modelRecord, recordsOf, summaryOf } from "./test-records.js";

const T = "thread-1";

const approvedRefund = recordsOf([
  { threadId: T, kind: "run", outcome: "started", data: { workflow: "refund" } },
  modelRecord(T, "scenario:refund", 51, 30, 0.000171, {
    toolCalls: [{ tool: "issue_refund", args: { amount: 1200 } }],
    latencyMs: 42,
    text: "I'll refund that for you.",
  }),
  {
    threadId: T,
    kind: "precondition",
    outcome: "pass",
    node: "check_refund",
    tool: "issue_refund",
    data: { callId: "c1" },
  },
  {
    threadId: T,
    kind: "policy",
    outcome: "require-approval",
    node: "refund_gate",
    tool: "issue_refund",
    data: {
      callId: "c1",
      reasons: ["refunds above $500 need a supervisor's approval"],
      policyIds: ["refund-over-limit-needs-approval"],
      policyVersion: "cedar-1",
    },
  },
  {
    threadId: T,
    kind: "approval",
    outcome: "requested",
    node: "refund_approval",
    tool: "issue_refund",
    data: { callId: "c1", requestId: "apr_1", reasons: ["refunds above $500 need a supervisor's approval"] },
  },
  {
    threadId: T,
    kind: "run",
    outcome: "waiting",
    data: { requests: [{ type: "approval", tool: "issue_refund", requestId: "apr_1" }] },
  },
  { threadId: "another-run", kind: "model", outcome: "answered", data: { model: "m", costUsd: 5 } },
  {
    threadId: T,
    kind: "approval",
    outcome: "approved",
    node: "refund_approval",
    tool: "issue_refund",
    data: { callId: "c1", approver: "supervisor:sam", reason: "checked the receipt", requestId: "apr_1" },
  },
  {
    threadId: T,
    kind: "execution",
    outcome: "executed",
    node: "issue_refund",
    tool: "issue_refund",
    data: { callId: "c1", idempotencyKey: "k1", result: { refundId: "R-1" }, attempts: 1 },
  },
  {
    threadId: T,
    kind: "memory",
    outcome: "read",
    node: "respond",
    data: { factIds: ["f1"], scopes: ["orders"] },
  },
  modelRecord(T, "scenario:refund", 74, 15, 0.000134),
  { threadId: T, kind: "run", outcome: "completed", data: {} },
]);

describe("buildRunTimeline", () => {
  it("gives every record of the run an entry, in order, and none of another run's", () => {
    const timeline = buildRunTimeline(summaryOf(T), approvedRefund);
    expect(timeline.entries.map((entry) => entry.type)).toEqual([
      "run",
      "model",
      "decision",
      "decision",
      "approval",
      "run",
      "approval",
      "tool",
      "memory",
      "model",
      "run",
    ]);
    expect(timeline.totals.costUsd).toBeCloseTo(0.000305, 9);
  });

  it("keeps model, tokens, cost and latency; a record without latency has none", () => {
    const models = buildRunTimeline(summaryOf(T), approvedRefund).entries.filter((e) => e.type === "model");
    expect(models[0]).toMatchObject({
      model: "scenario:refund",
      inputTokens: 51,
      outputTokens: 30,
      costUsd: 0.000171,
      latencyMs: 42,
      toolCalls: ["issue_refund"],
      outcome: "answered",
    });
    expect(models[1]).not.toHaveProperty("latencyMs");
  });

  it("keeps a decision's reasons and policy ids, and the approver with the reason given", () => {
    const { entries } = buildRunTimeline(summaryOf(T), approvedRefund);
    expect(entries.find((e) => e.type === "decision" && e.control === "policy")).toMatchObject({
      outcome: "require-approval",
      tool: "issue_refund",
      reasons: ["refunds above $500 need a supervisor's approval"],
      policyIds: ["refund-over-limit-needs-approval"],
      policyVersion: "cedar-1",
    });
    expect(entries.find((e) => e.type === "approval" && e.outcome === "approved")).toMatchObject({
      approver: "supervisor:sam",
      reason: "checked the receipt",
    });
    expect(entries.find((e) => e.type === "tool")).toMatchObject({
      outcome: "executed",
      idempotencyKey: "k1",
      result: { refundId: "R-1" },
      attempts: 1,
    });
    expect(entries.find((e) => e.type === "memory")).toMatchObject({
      outcome: "read",
      details: { factIds: ["f1"], scopes: ["orders"] },
    });
  });

  it("lists node visits in order, a node visited again listed again", () => {
    const { steps } = buildRunTimeline(summaryOf(T), approvedRefund);
    expect(steps).toEqual([
      "respond",
      "check_refund",
      "refund_gate",
      "refund_approval",
      "issue_refund",
      "respond",
    ]);
  });

  it("says what a waiting run waits for, and why a failed run failed", () => {
    const waiting = buildRunTimeline(summaryOf(T, { status: "waiting" }), approvedRefund.slice(0, 6));
    expect(waiting.outcome).toEqual({
      status: "waiting",
      waitingFor: [{ type: "approval", tool: "issue_refund", requestId: "apr_1" }],
    });
    const failed = buildRunTimeline(
      summaryOf(T, { status: "failed", error: "BUDGET_EXCEEDED: over $0.01" }),
      recordsOf([
        { threadId: T, kind: "run", outcome: "failed", data: { error: "ignored: the registry says" } },
      ]),
    );
    expect(failed.outcome).toEqual({ status: "failed", error: "BUDGET_EXCEEDED: over $0.01" });
  });

  it("is plain data: JSON gives back the same timeline", () => {
    const timeline = buildRunTimeline(summaryOf(T), approvedRefund, {
      steps: 8,
      activeMs: 39,
      limits: { maxCostUsd: 0.5 },
    });
    expect(JSON.parse(JSON.stringify(timeline))).toEqual(timeline);
  });
});
