import { GovernorError, ReplayChatModel, replayRun, workflowVersion } from "@governor/core";
import { createRefundWorkflow, sampleCrm } from "@governor/sample-refund";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  editedPolicies,
  noFlaggedBan,
  REFUND_CASES,
  refundDesk,
  stricterLimit,
} from "./support/refund-replay.js";

let desk: ReturnType<typeof refundDesk>;
const cleanups: (() => void)[] = [];

beforeEach(() => {
  desk = refundDesk();
  cleanups.push(() => desk.cleanup());
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the replay to throw"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

/** Runs a case to its end, approving (or rejecting) when it stops for a supervisor. */
async function finishedRun(input: object, decision?: "approve" | "reject") {
  const { runtime, workflow, model } = desk;
  let outcome = await runtime.start(workflow, input, { model });
  if (outcome.status === "waiting" && decision) {
    outcome = await runtime.decide(
      workflow,
      outcome.threadId,
      { approver: "supervisor:sam", decision },
      { model },
    );
  }
  return outcome;
}

describe("replay", () => {
  it.each([
    ["auto-allowed", REFUND_CASES.small, undefined, 1],
    ["approved over the limit", REFUND_CASES.large, "approve" as const, 1],
    ["rejected over the limit", REFUND_CASES.large, "reject" as const, 0],
    ["denied for a flagged account", REFUND_CASES.flagged, undefined, 0],
  ])(
    "replays a %s refund with every decision the same, calling no tool and no model",
    async (_name, input, decision, refunds) => {
      const outcome = await finishedRun(input, decision);
      expect(outcome.status).toBe("completed");
      expect(desk.ledger.refunds).toHaveLength(refunds);
      const modelCalls = desk.model.calls;

      const report = await replayRun(desk.runtime, desk.workflow, outcome.threadId);

      expect(report.verdict).toBe("same");
      expect(report.decisions.filter((item) => item.verdict !== "same")).toEqual([]);
      expect(report.decisions.map((item) => item.original?.kind)).toEqual(
        expect.arrayContaining(["policy", "precondition", "run"]),
      );
      expect(report.replayStatus).toBe("completed");
      expect(report.approvalsApplied).toBe(decision ? 1 : 0);
      expect(report.unexecuted).toEqual([]);
      // The payments system saw no second refund, and the scenario model was never asked again.
      expect(desk.ledger.refunds).toHaveLength(refunds);
      expect(desk.model.calls).toBe(modelCalls);
      expect(report.modelAnswers).toBe(2);
      expect(report.unusedModelAnswers).toBe(0);
      // The original store is only read.
      expect(desk.runtime.store.audit.verify().ok).toBe(true);
    },
  );

  it("replays from the run's real input, not the journal's masked copy", async () => {
    const input = {
      ...REFUND_CASES.small,
      request: "Lamp cracked, refund $120. Reply to dana.whitfield@example.com",
    };
    const outcome = await finishedRun(input);
    const [started] = desk.runtime.store.audit.find({
      threadId: outcome.threadId,
      kind: "run",
      outcome: "started",
    });
    expect(JSON.stringify(started?.data.input)).not.toContain("dana.whitfield@example.com");

    const report = await replayRun(desk.runtime, desk.workflow, outcome.threadId);

    expect(report).toMatchObject({ verdict: "same", replayStatus: "completed" });
  });

  it("refuses to go on when a step asks for a model answer the record does not hold", async () => {
    const model = new ReplayChatModel([
      { node: "propose", turn: 0, text: "hello", recorded: true, toolCalls: [] },
    ]);
    expect((await model.invoke("first")).content).toBe("hello");
    const error = await rejection(model.invoke("second"));
    expect(error.code).toBe("REPLAY_UNAVAILABLE");
    expect(error.message).toContain("turn 1");
    expect(model.calls).toBe(2);
  });

  it("answers task steps with the state the original recorded, not by running their code", async () => {
    // The load step reads the CRM; so do the gate's facts (live in a replay, by design).
    const crm = sampleCrm();
    const reads: string[] = [];
    const counting = {
      account: (id: string) => {
        reads.push(`account:${id}`);
        return crm.account(id);
      },
      order: (id: string) => {
        reads.push(`order:${id}`);
        return crm.order(id);
      },
    };
    const workflow = createRefundWorkflow({ crm: counting, ledger: desk.ledger });
    const outcome = await desk.runtime.start(workflow, REFUND_CASES.small, { model: desk.model });
    const originalAccountReads = reads.filter((read) => read.startsWith("account")).length;
    reads.length = 0;

    const report = await replayRun(desk.runtime, workflow, outcome.threadId);

    expect(report).toMatchObject({ verdict: "same", tasks: { recorded: 1, rerun: [] } });
    // The gate read the account again; the load step did not.
    expect(reads.filter((read) => read.startsWith("account"))).toHaveLength(originalAccountReads - 1);
  });

  it("asks the policy with the facts the original decided on, not the system of record's today", async () => {
    const crm = sampleCrm();
    let flaggedSince = false;
    const changing = {
      order: (id: string) => crm.order(id),
      account: (id: string) => {
        const account = crm.account(id);
        return account && flaggedSince ? { ...account, flagged: true, flagReason: "flagged since" } : account;
      },
    };
    const workflow = createRefundWorkflow({ crm: changing, ledger: desk.ledger });
    const outcome = await desk.runtime.start(workflow, REFUND_CASES.small, { model: desk.model });
    // The customer's account is flagged after the refund: live facts would now deny it.
    flaggedSince = true;

    const report = await replayRun(desk.runtime, workflow, outcome.threadId);

    expect(report).toMatchObject({ verdict: "same", policyFacts: { recorded: 1, live: 0 } });
  });

  it("records the workflow version on the run's start", async () => {
    const outcome = await finishedRun(REFUND_CASES.small);
    const [started] = desk.runtime.store.audit.find({
      threadId: outcome.threadId,
      kind: "run",
      outcome: "started",
    });
    expect(started?.data.workflowVersion).toBe(workflowVersion(desk.workflow));
  });

  it("refuses a run recorded under another workflow version, naming both, unless forced", async () => {
    const outcome = await finishedRun(REFUND_CASES.small);
    const stricter = editedPolicies(stricterLimit);
    cleanups.push(stricter.cleanup);
    const changed = desk.withPolicies(stricter.dir);

    const error = await rejection(replayRun(desk.runtime, changed, outcome.threadId));
    expect(error.code).toBe("WORKFLOW_VERSION_MISMATCH");
    expect(error.message).toContain(workflowVersion(desk.workflow));
    expect(error.message).toContain(workflowVersion(changed));
    expect(error.message).toContain("--force");
  });

  it("shows the decisions a policy change alters when forced, and executes nothing new", async () => {
    // Under today's policy the $120 refund runs alone; under a $100 limit it needs a supervisor.
    const outcome = await finishedRun(REFUND_CASES.small);
    const stricter = editedPolicies(stricterLimit);
    cleanups.push(stricter.cleanup);

    const report = await replayRun(desk.runtime, desk.withPolicies(stricter.dir), outcome.threadId, {
      force: true,
    });

    expect(report.verdict).toBe("different");
    expect(report.versionMismatch).toContain(workflowVersion(desk.workflow));
    const policy = report.decisions.find((item) => item.original?.kind === "policy");
    expect(policy).toMatchObject({
      verdict: "different",
      original: { outcome: "allow", policyIds: ["support-may-refund"] },
      replay: { outcome: "require-approval", policyIds: ["refund-over-limit-needs-approval"] },
    });
    // The original never asked a supervisor, so the replay stops where it would wait.
    expect(report.stoppedEarly).toContain("approval at refund_approval");
    expect(report.decisions.some((item) => item.verdict === "missing-in-replay")).toBe(true);
    expect(desk.ledger.refunds).toHaveLength(1);
  });

  it("refuses, and lists, a call the original never executed", async () => {
    const outcome = await finishedRun(REFUND_CASES.flagged);
    expect(desk.ledger.refunds).toHaveLength(0);
    const looser = editedPolicies(noFlaggedBan);
    cleanups.push(looser.cleanup);

    const report = await replayRun(desk.runtime, desk.withPolicies(looser.dir), outcome.threadId, {
      force: true,
    });

    expect(report.verdict).toBe("different");
    expect(report.unexecuted).toEqual([
      expect.objectContaining({
        tool: "issue_refund",
        args: { orderId: "A-3001", amount: 80, reason: "customer request" },
      }),
    ]);
    expect(report.decisions).toContainEqual(
      expect.objectContaining({
        verdict: "only-in-replay",
        replay: expect.objectContaining({ kind: "execution", outcome: "failed" }),
      }),
    );
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("names an unknown thread (RUN_NOT_FOUND) and refuses an unfinished run (REPLAY_UNAVAILABLE)", async () => {
    expect((await rejection(replayRun(desk.runtime, desk.workflow, "no-such-thread"))).code).toBe(
      "RUN_NOT_FOUND",
    );
    const waiting = await finishedRun(REFUND_CASES.large);
    expect(waiting.status).toBe("waiting");
    const error = await rejection(replayRun(desk.runtime, desk.workflow, waiting.threadId));
    expect(error.code).toBe("REPLAY_UNAVAILABLE");
    expect(error.message).toContain("waiting");
  });
});
