import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import type { PolicyRequest } from "./decision.js";
import { type PolicyRule, RulePolicyEngine } from "./rule-engine.js";

const permit: PolicyRule = {
  id: "support-may-refund",
  actions: ["issue_refund"],
  effect: "permit",
  reason: "support may refund",
};
const overLimit: PolicyRule = {
  id: "over-limit-needs-approval",
  actions: ["issue_refund"],
  effect: "require-approval",
  when: ({ args }) => Number(args.amount) > 500,
  reason: "refunds above $500 need a supervisor",
};
const flagged: PolicyRule = {
  id: "no-refund-to-flagged",
  actions: ["issue_refund"],
  effect: "forbid",
  when: ({ context }) => context.accountFlagged === true,
  reason: "flagged accounts get no refunds",
};

function request(
  amount: number,
  context: Record<string, unknown> = {},
  action = "issue_refund",
): PolicyRequest {
  return {
    principal: agentPrincipal("support", ["refunds:write"]),
    action,
    args: { orderId: "A-1", amount },
    context,
  };
}

describe("RulePolicyEngine", () => {
  const engine = new RulePolicyEngine([permit, overLimit, flagged]);

  it("allows a permitted call, naming the permit", () => {
    const decision = engine.decide(request(120));
    expect(decision.effect).toBe("allow");
    expect(decision.policyIds).toEqual(["support-may-refund"]);
    expect(decision.policyVersion).toBe(engine.version);
  });

  it("lets a forbid win over a permit", () => {
    const decision = engine.decide(request(80, { accountFlagged: true }));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual(["no-refund-to-flagged"]);
    expect(decision.reasons).toEqual(["flagged accounts get no refunds"]);
  });

  it("lets a forbid win over require-approval", () => {
    const decision = engine.decide(request(1200, { accountFlagged: true }));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual(["no-refund-to-flagged"]);
  });

  it("asks for approval when a require-approval rule and a permit both match", () => {
    const decision = engine.decide(request(1200));
    expect(decision.effect).toBe("require-approval");
    expect(decision.policyIds).toEqual(["over-limit-needs-approval"]);
    expect(decision.reasons).toEqual(["refunds above $500 need a supervisor"]);
  });

  it("denies rather than asks for approval when nothing permits the call", () => {
    const noPermit = new RulePolicyEngine([overLimit, flagged]);
    const decision = noPermit.decide(request(1200));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual([]);
    expect(decision.reasons).toEqual(["no policy permits issue_refund"]);
  });

  it("denies a tool no rule speaks about, by default", () => {
    const decision = engine.decide(request(10, {}, "delete_account"));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons).toEqual(["no policy permits delete_account"]);
  });

  it("applies a rule without actions to every tool", () => {
    const freeze = new RulePolicyEngine([
      permit,
      { id: "change-freeze", effect: "forbid", reason: "change freeze" },
    ]);
    expect(freeze.decide(request(10)).policyIds).toEqual(["change-freeze"]);
  });

  it("changes its version when the rules change, and keeps it when they do not", () => {
    const same = new RulePolicyEngine([permit, overLimit, flagged]);
    const withoutFlagged = new RulePolicyEngine([permit, overLimit]);
    const forbidInstead = new RulePolicyEngine([permit, { ...overLimit, effect: "forbid" }, flagged]);
    const otherTool = new RulePolicyEngine([permit, { ...overLimit, actions: ["issue_credit"] }, flagged]);

    expect(same.version).toBe(engine.version);
    expect(withoutFlagged.version).not.toBe(engine.version);
    expect(forbidInstead.version).not.toBe(engine.version);
    expect(otherTool.version).not.toBe(engine.version);
    expect(new RulePolicyEngine([permit], { version: "2025-06-01" }).version).toBe("2025-06-01");
  });

  it("refuses two rules with the same id", () => {
    expect(() => new RulePolicyEngine([permit, { ...flagged, id: "support-may-refund" }])).toThrow(
      /"support-may-refund" is declared twice/,
    );
  });
});
