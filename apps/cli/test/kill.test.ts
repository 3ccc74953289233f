import { afterAll, describe, expect, it } from "vitest";
import { governorOnTempStore } from "./support/governor-bin.js";

// The real `governor` binary: one process flips the kill switch, another's run is refused.
// Needs the build (npm test runs tsc -b first).
const cli = governorOnTempStore({ GOVERNOR_OPERATOR: "ops:test" });
const governor = cli.governor;

function killSwitches(): { scope: string; reason: string; by?: string }[] {
  return JSON.parse(governor("status", "--json").out).killSwitches;
}

afterAll(() => cli.dispose());

describe("governor kill / unkill", () => {
  it("engages the global switch, refuses a run from another process, and releases it", () => {
    const killed = governor("kill", "--reason", "incident 7");
    expect(killed.code).toBe(0);
    expect(killed.out).toContain("kill switch engaged (global): incident 7");
    expect(killSwitches()).toEqual([
      expect.objectContaining({ scope: "global", reason: "incident 7", by: "ops:test" }),
    ]);

    const refused = governor("run", "refund", "--case", "small-refund", "--no-interactive");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("error [KILLED]");
    expect(refused.out).not.toContain("issue_refund executed");

    const released = governor("unkill");
    expect(released.code).toBe(0);
    expect(released.out).toContain("kill switch released (global)");
    expect(killSwitches()).toEqual([]);
    expect(governor("unkill").out).toContain("no global kill switch was engaged");
  });

  it("stops one agent's runs with --agent and lets them run again after unkill --agent", () => {
    expect(governor("kill", "--agent", "support", "--reason", "refund spree").code).toBe(0);

    const refused = governor("run", "refund", "--case", "small-refund", "--no-interactive");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("agent:support kill switch is engaged (refund spree)");

    expect(governor("unkill", "--agent", "support").out).toContain("kill switch released (agent:support)");
    const ran = governor("run", "refund", "--case", "small-refund", "--no-interactive");
    expect(ran.code).toBe(0);
    expect(ran.out).toContain("issue_refund executed");

    const status = governor("status");
    expect(status.out).toContain("kill switches: none engaged");
    expect(status.out).toContain("runs: 1 completed");
    // The CLI prices the scripted model at $0 (not real spend): nothing is spent today.
    expect(status.out).toMatch(/model spend on \S+ \(UTC\): none/);
  });
});
