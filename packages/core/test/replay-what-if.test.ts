import fs from "node:fs";
import path from "node:path";
import { GovernorError, whatIf } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  editedPolicies,
  noFlaggedBan,
  REFUND_CASES,
  REFUND_POLICIES,
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

/** Yesterday's traffic: two small refunds (allowed), one large (approval), one flagged (denied). */
async function traffic(): Promise<string[]> {
  const { runtime, workflow, model } = desk;
  const threads: string[] = [];
  for (const input of [REFUND_CASES.small, REFUND_CASES.small, REFUND_CASES.large, REFUND_CASES.flagged]) {
    threads.push((await runtime.start(workflow, input, { model })).threadId);
  }
  return threads;
}

function policies(edit: (text: string) => string): string {
  const edited = editedPolicies(edit);
  cleanups.push(edited.cleanup);
  return edited.dir;
}

describe("what-if", () => {
  it("lists exactly the decisions a stricter limit changes, with counts", async () => {
    const threads = await traffic();

    const report = await whatIf(desk.runtime.store, { policies: policies(stricterLimit) });

    expect(report).toMatchObject({ runs: 4, decisions: 4, redecided: 4, unchanged: 2, notRedecidable: [] });
    expect(report.transitions).toEqual({ "allow → require-approval": 2 });
    expect(report.changes.map((change) => change.threadId).sort()).toEqual([threads[0], threads[1]].sort());
    expect(report.changes[0]).toMatchObject({
      node: "refund_gate",
      tool: "issue_refund",
      from: "allow",
      to: "require-approval",
      fromPolicyIds: ["support-may-refund"],
      toPolicyIds: ["refund-over-limit-needs-approval"],
    });
    // Nothing ran: no refund beyond the original traffic's.
    expect(desk.ledger.refunds).toHaveLength(2);
  });

  it("lists a looser policy's deny → allow, and only for the threads asked about", async () => {
    const threads = await traffic();

    const all = await whatIf(desk.runtime.store, { policies: policies(noFlaggedBan) });
    expect(all.transitions).toEqual({ "deny → allow": 1 });
    expect(all.changes).toEqual([
      expect.objectContaining({
        threadId: threads[3],
        from: "deny",
        to: "allow",
        fromPolicyIds: ["no-refund-to-flagged-account"],
      }),
    ]);

    const some = await whatIf(desk.runtime.store, {
      policies: policies(noFlaggedBan),
      threads: [threads[0] as string],
    });
    expect(some).toMatchObject({ runs: 1, decisions: 1, changes: [], transitions: {} });
  });

  it("finds no change under the policies the runs were decided with", async () => {
    await traffic();
    const report = await whatIf(desk.runtime.store, { policies: REFUND_POLICIES });
    expect(report).toMatchObject({ decisions: 4, unchanged: 4, changes: [] });
  });

  it("selects runs by start time", async () => {
    await traffic();
    const later = await whatIf(desk.runtime.store, {
      policies: REFUND_POLICIES,
      since: new Date(Date.now() + 60_000),
    });
    expect(later).toMatchObject({ runs: 0, decisions: 0 });
  });

  it("counts a decision recorded without its request as not re-decidable, with the reason", async () => {
    const [thread] = await traffic();
    // A policy record as runs before this change wrote it: no principal, no resource.
    desk.runtime.store.audit.append({
      threadId: thread as string,
      kind: "policy",
      outcome: "allow",
      node: "refund_gate",
      tool: "issue_refund",
      data: {
        args: { orderId: "A-1001", amount: 120, reason: "x" },
        context: {},
        policyIds: ["support-may-refund"],
      },
    });
    const report = await whatIf(desk.runtime.store, {
      policies: REFUND_POLICIES,
      threads: [thread as string],
    });
    expect(report.notRedecidable).toEqual([
      expect.objectContaining({
        threadId: thread,
        node: "refund_gate",
        reason: expect.stringContaining("recorded before"),
      }),
    ]);
    expect(report).toMatchObject({ decisions: 2, redecided: 1 });
  });

  it("names the file, line and column of a syntax error (POLICY_LOAD_FAILED)", async () => {
    const dir = policies(
      (text) => `${text}\npermit (principal, action, resource) when { context.oops ==  };\n`,
    );
    const lines = fs.readFileSync(path.join(dir, "refund.cedar"), "utf8").split("\n");
    const line = lines.findIndex((text) => text.includes("context.oops")) + 1;
    const caught = await whatIf(desk.runtime.store, { policies: dir }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(GovernorError);
    const error = caught as GovernorError;
    expect(error.code).toBe("POLICY_LOAD_FAILED");
    expect(error.details).toMatchObject({ file: path.join(dir, "refund.cedar"), line });
    expect(error.message).toMatch(new RegExp(`refund\\.cedar:${line}:\\d+`));
  });

  it("names an unknown thread (RUN_NOT_FOUND)", async () => {
    const caught = await whatIf(desk.runtime.store, { policies: REFUND_POLICIES, threads: ["nope"] }).catch(
      (error: unknown) => error,
    );
    expect((caught as GovernorError).code).toBe("RUN_NOT_FOUND");
  });
});
