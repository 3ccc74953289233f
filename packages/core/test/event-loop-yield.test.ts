import { type GovernorRuntime, setYieldSlice } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { billingDesk, deskModel, type Effects, newEffects, tempRuntimes } from "./support/billing-desk.js";

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let operator: GovernorRuntime;
let effects: Effects;
let restoreSlice: () => void;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  operator = temp.open();
  effects = newEffects();
});
afterEach(() => {
  restoreSlice();
  temp.cleanup();
});

const request = { request: "Charge acct-1 $5 for the late fee" };

/**
 * Offline runs continue on microtasks and SQLite is synchronous: without a yield between
 * steps, a callback queued mid-run (a server's request handler, a timer) waits for the whole
 * run. A zero slice makes the yield at every boundary deterministic; an infinite one turns it off.
 */
describe("yielding to the event loop between steps", () => {
  it("runs a callback queued by one node before the run's action node", async () => {
    restoreSlice = setYieldSlice(0);
    const order: string[] = [];
    const workflow = billingDesk({
      effects,
      prepare: () => setImmediate(() => order.push("callback")),
      onCharge: () => order.push("charge"),
    });

    const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.status).toBe("completed");
    expect(order).toEqual(["callback", "charge"]);
  });

  it("with yielding off, the same callback waits for the whole run (what the yield fixes)", async () => {
    restoreSlice = setYieldSlice(Number.POSITIVE_INFINITY);
    const order: string[] = [];
    let finished = false;
    const workflow = billingDesk({
      effects,
      prepare: () => setImmediate(() => order.push(finished ? "callback after the run" : "callback")),
      onCharge: () => order.push("charge"),
    });

    const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });
    finished = true;
    await new Promise(setImmediate);

    expect(outcome.status).toBe("completed");
    expect(order).toEqual(["charge", "callback after the run"]);
  });

  it("honours a kill switch flipped by a callback that ran while the run yielded", async () => {
    restoreSlice = setYieldSlice(0);
    const workflow = billingDesk({
      effects,
      prepare: () => setImmediate(() => operator.kill({ reason: "console: stop everything" })),
    });

    const outcome = await runtime.start(workflow, request, { model: deskModel("strong", effects) });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("KILLED");
    expect(outcome.error?.message).toContain("stopped before propose");
    expect(effects.charges).toEqual([]);
  });

  it("keeps each run's steps and effects when many runs interleave at every boundary", async () => {
    restoreSlice = setYieldSlice(0);
    const workflow = billingDesk({ effects });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        runtime.start(workflow, request, { model: deskModel("strong", effects) }),
      ),
    );

    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill("completed"));
    expect(effects.charges).toHaveLength(8);
    // Every run took its own seven steps and saw its own charge, whatever order they interleaved in.
    expect(outcomes.map((o) => o.usage?.steps)).toEqual(Array(8).fill(7));
    expect(new Set(outcomes.map((o) => o.state.reply))).toEqual(new Set(["Done (strong)."]));
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });
  });

  it("refuses a negative or NaN slice", () => {
    restoreSlice = () => {};
    expect(() => setYieldSlice(-1)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => setYieldSlice(Number.NaN)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });
});
