import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHILD_TEST_MS, paidRefunds, refundStep } from "./support/refund-child.js";

// A run left waiting by one process is answered by another: one child process starts the
// $1,200 refund and exits; a second one (its own runtime, workflow, model and payments
// client, against the build) approves and finishes it. This process only reads the store.
const threadId = "second-process";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-second-process-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a refund waiting for approval", () => {
  it(
    "is approved and refunded exactly once by a second process, and the journal shows it",
    async () => {
      // Both processes run the same build: a workflow loaded from source here would carry another
      // policy version (it covers the fact code), and the approval would rightly lapse.
      const started = refundStep(dir, "start", {}, threadId);
      expect(started, started.stderr).toMatchObject({ code: 0, outcome: { status: "waiting" } });
      const first = new GovernorRuntime({ dir });
      const callHash = (await first.pending()).map((entry) => entry.request.callHash);
      expect(callHash).toHaveLength(1);
      expect(paidRefunds(dir)).toEqual([]);
      first.close();

      const approved = refundStep(dir, "approve", {}, threadId);
      expect(approved, approved.stderr).toMatchObject({ code: 0, outcome: { status: "completed" } });
      expect(paidRefunds(dir)).toEqual([expect.objectContaining({ orderId: "A-1002", amount: 1200 })]);

      // A third look at the store, from this process again: the approval and the one execution.
      const later = new GovernorRuntime({ dir });
      try {
        expect((await later.getRun(threadId)).status).toBe("completed");
        expect(await later.pending()).toEqual([]);
        const records = later.store.audit.list(threadId);
        const approval = records.find(
          (record) => record.kind === "approval" && record.outcome === "approved",
        );
        expect(approval?.data.approver).toBe("supervisor:sam");
        expect(approval?.data.callHash ?? callHash[0]).toBe(callHash[0]);
        expect(
          records.filter((record) => record.kind === "execution").map((record) => record.outcome),
        ).toEqual(["executed"]);
        expect(later.store.audit.verify()).toMatchObject({
          ok: true,
          records: later.store.audit.list().length,
        });
      } finally {
        later.close();
      }

      // Approving again from yet another process refunds nothing more.
      const again = refundStep(dir, "approve", {}, threadId);
      expect(again.code).not.toBe(0);
      expect(paidRefunds(dir)).toHaveLength(1);
    },
    CHILD_TEST_MS,
  );
});
