import { describe, expect, it } from "vitest";
import { costReport } from "./cost-report.js";
import { runTotals } from "./run-totals.js";
import { modelRecord, recordsOf, summaryOf } from "./test-records.js";

const inputs = [
  {
    run: summaryOf("a", { status: "completed" }),
    records: recordsOf([modelRecord("a", "big", 100, 10, 0.3), modelRecord("a", "small", 10, 1, 0.01)]),
  },
  {
    run: summaryOf("b", { status: "failed", principal: "agent:claims", workflow: "claims" }),
    records: recordsOf([modelRecord("b", "big", 50, 5, 0.2)]),
  },
  {
    run: summaryOf("c", { status: "completed", createdAt: "2026-12-02T09:00:00.000Z" }),
    records: recordsOf([modelRecord("c", "small", 20, 2, 0.02)]),
  },
  { run: summaryOf("d", { status: "waiting", createdAt: "2026-12-02T10:00:00.000Z" }), records: [] },
];

describe("costReport", () => {
  it("totals every run's model records, and cost per run and per resolved (completed) run", () => {
    const { totals } = costReport(inputs);
    expect(totals).toMatchObject({
      runs: 4,
      resolvedRuns: 2,
      modelCalls: 4,
      inputTokens: 180,
      outputTokens: 18,
    });
    expect(totals.costUsd).toBeCloseTo(0.53, 9);
    expect(totals.costPerRun).toBeCloseTo(0.53 / 4, 9);
    expect(totals.costPerResolvedRun).toBeCloseTo(0.53 / 2, 9);
  });

  it("groups by workflow and by principal, most expensive first", () => {
    const byWorkflow = costReport(inputs, { by: "workflow" }).groups;
    expect(byWorkflow.map((g) => [g.key, g.runs, g.resolvedRuns])).toEqual([
      ["refund", 3, 2],
      ["claims", 1, 0],
    ]);
    expect(byWorkflow[0]?.costUsd).toBeCloseTo(0.33, 9);
    expect(byWorkflow[1]?.costPerResolvedRun).toBeNull();
    const byPrincipal = costReport(inputs, { by: "principal" }).groups;
    expect(byPrincipal.map((g) => g.key)).toEqual(["agent:support", "agent:claims"]);
  });

  it("by model counts a run under every model it called, and only that model's cost", () => {
    const groups = costReport(inputs, { by: "model" }).groups;
    expect(groups.map((g) => [g.key, g.runs, g.resolvedRuns, g.modelCalls])).toEqual([
      ["big", 2, 1, 2],
      ["small", 2, 2, 2],
    ]);
    expect(groups[0]?.costUsd).toBeCloseTo(0.5, 9);
    expect(groups[1]?.costPerRun).toBeCloseTo(0.015, 9);
  });

  it("agrees with runTotals run by run", () => {
    const sum = inputs.reduce((total, input) => total + runTotals(input.records).costUsd, 0);
    expect(costReport(inputs).totals.costUsd).toBeCloseTo(sum, 12);
  });

  it("counts only runs started at or after since", () => {
    const report = costReport(inputs, { since: new Date("2026-12-02T09:00:00.000Z") });
    expect(report.totals).toMatchObject({ runs: 2, resolvedRuns: 1, modelCalls: 1 });
    expect(report.since).toBe("2026-12-02T09:00:00.000Z");
  });

  it("refuses a grouping it does not know, naming the ones it does", () => {
    expect(() => costReport(inputs, { by: "tool" as never })).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringContaining("workflow, principal, model"),
      }),
    );
  });
});
