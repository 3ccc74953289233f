import type { GovernorEvent, Workflow } from "@governor/core";
import { describe, expect, it } from "vitest";
import { completedLine, GovernedCallLog } from "../src/governed-outcome.js";
import type { Terminal } from "../src/terminal.js";

// The summary line of a completed run, from the events it emitted: what happened to each governed call.
const terminal: Terminal = { out: () => {}, err: () => {}, interactive: false, color: false };
const workflow = {
  nodes: { refund: { kind: "action", tool: "issue_refund" }, mail: { kind: "action", tool: "send_mail" } },
} as unknown as Workflow;

function lineAfter(events: GovernorEvent[], resumed = false): string {
  const log = new GovernedCallLog();
  for (const event of events) log.record(event);
  return completedLine(terminal, workflow, log, "Paying.", resumed);
}

const policy = (tool: string, effect: "allow" | "deny" | "require-approval"): GovernorEvent => ({
  type: "policy",
  node: "gate",
  tool,
  effect,
  stage: "policy",
  reasons: ["why"],
  policyIds: ["p-1"],
});
const executed = (tool: string, ok = true): GovernorEvent => ({
  type: "action",
  node: tool,
  tool,
  ok,
  ...(ok ? {} : { error: "timeout" }),
});

describe("completedLine", () => {
  it.each([
    [
      "a failed precondition",
      [{ type: "precondition", node: "check", tool: "issue_refund", ok: false, reason: "too much" }],
      "issue_refund precondition failed (too much)",
    ],
    ["a policy denial", [policy("issue_refund", "deny")], "issue_refund denied by policy (why [p-1])"],
    [
      "a rejection",
      [
        policy("issue_refund", "require-approval"),
        { type: "approval", node: "approve", tool: "issue_refund", approved: false, approver: "sam" },
      ],
      "issue_refund rejected (by sam)",
    ],
    [
      "a refusal",
      [{ type: "refused-tool", node: "agent", tool: "issue_refund", reason: "no scope" }],
      "issue_refund refused (no scope)",
    ],
    [
      "a failed tool",
      [policy("issue_refund", "allow"), executed("issue_refund", false)],
      "issue_refund failed (timeout)",
    ],
    ["an allowed call that never ran", [policy("issue_refund", "allow")], "issue_refund allowed but not run"],
  ] as [string, GovernorEvent[], string][])("is not a success after %s", (_what, events, outcome) => {
    const line = lineAfter(events);
    expect(line).not.toContain("✓");
    expect(line).toBe(
      `   ■ completed, but no governed action was taken · ${outcome}, send_mail not reached · final answer: "Paying."`,
    );
  });

  it("is a success when a governed action executed, listing the others", () => {
    const line = lineAfter([
      policy("issue_refund", "allow"),
      executed("issue_refund"),
      policy("send_mail", "deny"),
      executed("lookup"),
      executed("lookup"),
    ]);
    expect(line).toBe(
      '   ✓ completed · issue_refund executed, send_mail denied by policy (why [p-1]), lookup executed ×2 · final answer: "Paying."',
    );
  });

  it("says nothing was proposed when no governed call happened", () => {
    expect(lineAfter([])).toBe(
      '   ■ completed, but no governed action was taken · issue_refund not reached, send_mail not reached · final answer: "Paying."',
    );
  });

  it("after a resume, speaks only of what followed it", () => {
    expect(lineAfter([policy("issue_refund", "deny")], true)).toBe(
      '   ■ completed, but no governed action was taken after it resumed · issue_refund denied by policy (why [p-1]) · final answer: "Paying."',
    );
  });
});
