import type { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, credit, deskModel, read, signFor } from "./support/agent-desk.js";
import { executions, type Harness, harness, toolReplies } from "./support/harness.js";

/**
 * Two supervisors answer one agent turn's two approvals at the same moment, each through
 * their own runtime on the shared store (as two `governor approve` processes would). Each
 * credit must still happen exactly once, and the run must not end up believing, or telling
 * the model, that a credit which happened did not.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

async function answeredAtOnce() {
  const desk = agentDesk();
  const model = deskModel([{ toolCalls: [read("A-1"), credit("A-2", 300), credit("A-3", 400)] }]);
  const waiting = await runtime.start(
    desk.workflow,
    { request: "credit my accounts" },
    { model: model.model },
  );
  const [a, b] = waiting.approvals ?? [];
  if (!a || !b) throw new Error("the turn should wait for two approvals");
  const other = h.open();
  const [tokenA, tokenB] = [
    await signFor(runtime.store.tokenKeys, a),
    await signFor(runtime.store.tokenKeys, b),
  ];
  await Promise.allSettled([
    runtime.resume(desk.workflow, waiting.threadId, { token: tokenA }, { model: model.model }),
    other.resume(desk.workflow, waiting.threadId, { token: tokenB }, { model: model.model }),
  ]);
  return { desk, model, threadId: waiting.threadId, a, b };
}

describe("agent loop: approvals answered concurrently", () => {
  it("CC-1 two approvals answered at the same moment: each credit happens exactly once", async () => {
    const { desk, threadId } = await answeredAtOnce();

    expect([...desk.effects.credits].map((entry) => entry.amount).sort()).toEqual([300, 400]);
    expect(executions(runtime, threadId).filter((entry) => entry === "post_credit:executed")).toHaveLength(2);
  });

  // HOLE (reported to the lead): resumes of one thread are not serialized. Both resumes start
  // from the same checkpoint; each runs its own credit (exactly once, the effect journal holds),
  // but the thread's head is whichever branch wrote last, in which the other credit still
  // waits for a human. The run asks again for a credit that already happened, and a rejection
  // of that stale request tells the model "Rejected ... The call did not run." though the
  // ledger shows it ran. Expected (once fixed): a second concurrent resume waits or is refused
  // (RUN_NOT_INTERRUPTED / a conflict), and no request is pending for a call that executed.
  it("CC-2 after concurrent answers the run does not ask again for a credit that already ran", async () => {
    const { desk, model, threadId } = await answeredAtOnce();

    const pending = await runtime.pendingApprovals(desk.workflow, threadId, { model: model.model });
    const ran = desk.effects.credits.map((entry) => entry.account);
    expect(pending.filter((request) => ran.includes(String(request.args.account)))).toEqual([]);

    // And were it asked, a rejection must not tell the model the credit did not run.
    for (const stale of pending) {
      const after = await runtime.resume(
        desk.workflow,
        threadId,
        { token: await signFor(runtime.store.tokenKeys, stale, "reject") },
        { model: model.model },
      );
      expect(toolReplies(after.state)).not.toContain("Rejected by supervisor:sam. The call did not run.");
    }
  });
});
