import { GovernorError, type GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { billingDesk, deskModel, type Effects, newEffects, tempRuntimes } from "./support/billing-desk.js";

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let effects: Effects;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  effects = newEffects();
});
afterEach(() => temp.cleanup());

const request = { request: "Charge acct-1 $5 for the late fee" };

/** Queued runs, as a worker moves them: admit records, continue drives from what the store says. */
describe("admit and continue (what a queue worker does)", () => {
  it("admits without running anything, then a continue from another runtime runs it once", async () => {
    const workflow = billingDesk({ effects });
    const { threadId } = await runtime.admit(workflow, request, { model: deskModel("strong", effects) });
    expect(await runtime.getRun(threadId)).toMatchObject({ status: "queued" });
    expect(effects.charges).toEqual([]);

    const worker = temp.open();
    const outcome = await worker.continue(workflow, threadId, { model: deskModel("strong", effects) });
    expect(outcome.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);

    // A duplicate or re-delivered job changes nothing.
    const again = await worker.continue(workflow, threadId, { model: deskModel("strong", effects) });
    expect(again.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);
    const started = runtime.store.audit
      .list(threadId)
      .filter((r) => r.kind === "run" && r.outcome === "started");
    expect(started).toHaveLength(1);
  });

  it("refuses bad input and a taken thread id at admission, recording no run", async () => {
    const workflow = billingDesk({ effects });
    await expect(
      runtime.admit(workflow, { nope: 1 }, { model: deskModel("strong", effects) }),
    ).rejects.toMatchObject({ code: "INPUT_INVALID" });
    const model = deskModel("strong", effects);
    const { threadId } = await runtime.admit(workflow, request, { model });
    await expect(runtime.admit(workflow, request, { threadId, model })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    expect(await runtime.store.runs.list()).toHaveLength(1);
  });

  it("fails a queued run, audited, when a kill switch covers it by the time a worker takes it", async () => {
    const workflow = billingDesk({ effects });
    const { threadId } = await runtime.admit(workflow, request, { model: deskModel("strong", effects) });
    await runtime.kill({ reason: "incident 9" });

    const outcome = await temp.open().continue(workflow, threadId, { model: deskModel("strong", effects) });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toBeInstanceOf(GovernorError);
    expect(outcome.error?.code).toBe("KILLED");
    expect(effects.charges).toEqual([]);
    expect(await runtime.getRun(threadId)).toMatchObject({ status: "failed" });
    expect(runtime.store.audit.list(threadId).filter((r) => r.kind === "kill")).toEqual([
      expect.objectContaining({ outcome: "refused", data: expect.objectContaining({ stage: "start" }) }),
    ]);
  });

  it("will not continue a run under another workflow than the one that admitted it", async () => {
    const { threadId } = await runtime.admit(billingDesk({ effects }), request, {
      model: deskModel("strong", effects),
    });
    const other = { ...billingDesk({ effects }), name: "payroll" };
    await expect(runtime.continue(other, threadId)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    expect(await runtime.getRun(threadId)).toMatchObject({ status: "queued" });
  });
});
