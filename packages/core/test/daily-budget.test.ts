import { agentPrincipal, delegatedPrincipal } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANOTHER_PROCESS_TEST_MS, runInAnotherProcess } from "./support/another-process.js";
import { billingDesk, deskModel, type Effects, newEffects, tempRuntimes } from "./support/billing-desk.js";

let temp: ReturnType<typeof tempRuntimes>;
let effects: Effects;
let clock: number;

beforeEach(() => {
  temp = tempRuntimes();
  effects = newEffects();
  clock = Date.parse("2030-03-01T09:00:00Z");
});
afterEach(() => temp.cleanup());

const request = { request: "Charge acct-1 $5 for the late fee" };
const agent = agentPrincipal("billing", ["billing:write"]);
const forUser = (user: string) => delegatedPrincipal(agent, user, ["billing:write"]);

describe("per-principal daily cost budget", () => {
  it(
    "refuses a new run, in any process, once the principal's spend today reaches its daily budget",
    async () => {
      const runtime = temp.open({ now: () => clock });
      const workflow = billingDesk({ effects });
      const first = await runtime.start(workflow, request, {
        model: deskModel("strong", effects),
        principal: forUser("u-1"),
        budget: { dailyCostUsdPerPrincipal: 1 },
      });
      expect(first.status).toBe("completed");
      const spent = first.usage?.costUsd ?? 0;
      expect(spent).toBeGreaterThan(0);
      expect(runtime.store.spend.spent(forUser("u-1").id, "2030-03-01")).toBeCloseTo(spent, 12);

      // A second process on the same store, same day: the spend recorded here refuses it there.
      const refused = runInAnotherProcess(temp.dir, clock, "u-1", spent);
      expect(refused).toMatchObject({ code: "BUDGET_EXCEEDED", charges: 0 });
      expect(refused.message).toContain("daily model budget on 2030-03-01");
      expect(runtime.store.runs.list()).toHaveLength(1);
      expect(effects.charges).toHaveLength(1);

      // Another principal has its own allowance; tomorrow the first one starts afresh.
      expect(runInAnotherProcess(temp.dir, clock, "u-2", spent * 2)).toMatchObject({
        status: "completed",
        charges: 1,
      });
      expect(runInAnotherProcess(temp.dir, clock + 24 * 60 * 60 * 1000, "u-1", spent * 2)).toMatchObject({
        status: "completed",
        charges: 1,
      });
      expect(runtime.store.spend.spent(forUser("u-1").id, "2030-03-02")).toBeGreaterThan(0);
    },
    ANOTHER_PROCESS_TEST_MS,
  );

  it("stops a run at the model call that would take the principal past its daily budget", async () => {
    const runtime = temp.open({ now: () => clock });
    const workflow = billingDesk({ effects });
    // What one proposal costs with this script, measured on another principal.
    const probe = await runtime.start(workflow, request, {
      model: deskModel("strong", effects),
      principal: forUser("probe"),
    });
    const proposalCost = runtime.store.audit
      .list(probe.threadId)
      .find((record) => record.kind === "model" && record.node === "propose")?.data.costUsd as number;
    effects.charges.length = 0;
    effects.answers.length = 0;

    const outcome = await runtime.start(workflow, request, {
      model: deskModel("strong", effects),
      principal: forUser("u-7"),
      budget: { dailyCostUsdPerPrincipal: proposalCost * 1.5 },
    });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.error?.details).toMatchObject({ node: "respond", limit: "dailyCostUsdPerPrincipal" });
    // The proposal ran and the charge went through; the reply's model call was never made.
    expect(effects.answers).toEqual(["strong"]);
    expect(effects.charges).toHaveLength(1);
    expect(runtime.store.spend.spent(forUser("u-7").id, "2030-03-01")).toBeCloseTo(proposalCost, 12);
    expect(
      runtime.store.audit
        .list(outcome.threadId)
        .filter((record) => record.kind === "budget")
        .map((record) => [record.outcome, record.node, record.data.limit]),
    ).toEqual([["exceeded", "respond", "dailyCostUsdPerPrincipal"]]);
  });
});
