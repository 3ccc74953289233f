import { afterAll, describe, expect, it } from "vitest";
import { governorOnTempStore } from "./support/governor-bin.js";

// A run that would overspend stops and asks; `governor budget` answers from another process.
const cli = governorOnTempStore();
const governor = cli.governor;
afterAll(() => cli.dispose());

describe("governor budget", () => {
  it("stops before the call that would overspend, then runs on when more is granted", () => {
    const run = governor("run", "refund", "--case", "small-refund", "--max-tokens", "150");
    expect(run.code).toBe(0);
    expect(run.out).toContain("issue_refund executed");
    expect(run.out).toMatch(/waiting for more budget: .*tokens: \d+ used of 150/);
    expect(run.out).not.toContain("respond          model says");
    const thread = run.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
    expect(governor("pending").out).toContain("waiting for budget");

    const extended = governor("budget", thread, "--extend-tokens", "1000", "--approver", "finance:kim");
    expect(extended.code).toBe(0);
    expect(extended.out).toContain('respond          model says: "Done: refund R-1 of $120');
    expect(extended.out).toContain("✓ completed");
  });

  it("ends the run without calling the model again when told to stop", () => {
    const run = governor("run", "refund", "--case", "small-refund", "--max-tokens", "150");
    const thread = run.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
    const stopped = governor("budget", thread, "--stop", "--reason", "over quota");
    expect(stopped.out).not.toContain("model says");
    expect(stopped.out).toContain("failed [BUDGET_EXCEEDED]");
    expect(stopped.code).toBe(1);
  });

  it("refuses an answer that neither extends nor stops", () => {
    const result = governor("budget", "any-thread");
    expect(result.code).toBe(1);
    expect(result.err).toContain("[CONFIG_INVALID]: Give either --stop or at least one of --extend-tokens");
  });
});
