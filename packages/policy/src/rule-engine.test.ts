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
    expect(decision.reasons).toEqual(["no policy permits issue_refund: no permit rule speaks about it"]);
  });

  it("denies a tool no rule speaks about, by default", () => {
    const decision = engine.decide(request(10, {}, "delete_account"));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons).toEqual(["no policy permits delete_account: no permit rule speaks about it"]);
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
  it("changes its version when only a condition's body changes", () => {
    const at500 = new RulePolicyEngine([permit, overLimit]);
    const at5000 = new RulePolicyEngine([
      permit,
      { ...overLimit, when: ({ args }) => Number(args.amount) > 5000 },
    ]);
    const sameBody = new RulePolicyEngine([
      permit,
      { ...overLimit, when: ({ args }) => Number(args.amount) > 500 },
    ]);
    expect(at5000.version).not.toBe(at500.version);
    expect(sameBody.version).toBe(at500.version);
  });
});

describe("RulePolicyEngine with facts it cannot read", () => {
  const vipPermit: PolicyRule = {
    id: "vip-may-refund",
    actions: ["issue_refund"],
    effect: "permit",
    when: ({ context }) => context.isVip as boolean,
    reason: "VIPs may be refunded",
  };
  const flaggedLoose: PolicyRule = {
    id: "no-refund-to-flagged",
    actions: ["issue_refund"],
    effect: "forbid",
    when: ({ context }) => context.flagged as boolean,
    reason: "flagged accounts get no refunds",
  };

  it.each([
    ["absent", {}],
    ["null", { isVip: null }],
    ["a truthy non-boolean", { isVip: "yes" }],
    ["a Promise", { isVip: Promise.resolve(true) }],
  ])("does not permit when the permit's fact is %s", (_, context) => {
    const decision = new RulePolicyEngine([vipPermit]).decide(request(10, context));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons[0]).toBe("no policy permits issue_refund");
    expect(decision.reasons[1]).toMatch(/permit "vip-may-refund" could not be evaluated: .*not a boolean/);
  });

  it("permits only when the condition returns exactly true", () => {
    expect(new RulePolicyEngine([vipPermit]).decide(request(10, { isVip: true })).effect).toBe("allow");
    const no = new RulePolicyEngine([vipPermit]).decide(request(10, { isVip: false }));
    expect(no.reasons).toEqual([
      "no policy permits issue_refund",
      'permit "vip-may-refund" did not apply: its condition is false',
    ]);
  });

  it("denies when a forbid cannot be evaluated, naming it, even though a permit applies", () => {
    const engine = new RulePolicyEngine([permit, flaggedLoose]);
    const decision = engine.decide(request(10));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual(["no-refund-to-flagged"]);
    expect(decision.reasons[0]).toMatch(
      /forbid rule "no-refund-to-flagged" could not be evaluated \(its condition returned undefined/,
    );
    expect(engine.decide(request(10, { flagged: false })).effect).toBe("allow");
  });

  it("denies when a forbid or approval condition throws", () => {
    const throwing: PolicyRule = {
      ...overLimit,
      when: ({ context }) => (context.limits as { max: number }).max < 1,
    };
    const decision = new RulePolicyEngine([permit, throwing]).decide(request(10));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons[0]).toMatch(
      /require-approval rule "over-limit-needs-approval" could not be evaluated \(its condition threw/,
    );
  });

  it("lets another permit allow when one permit cannot be evaluated", () => {
    const decision = new RulePolicyEngine([vipPermit, permit]).decide(request(10));
    expect(decision).toMatchObject({ effect: "allow", policyIds: ["support-may-refund"] });
  });

  it("explains every rule's outcome without deciding anything else", () => {
    const engine = new RulePolicyEngine([
      permit,
      vipPermit,
      flagged,
      { ...permit, id: "credit", actions: ["issue_credit"] },
    ]);
    const { decision, policies } = engine.explain(request(10, { accountFlagged: false }));
    expect(decision.effect).toBe("allow");
    expect(policies.map((p) => [p.id, p.outcome])).toEqual([
      ["support-may-refund", "satisfied"],
      ["vip-may-refund", "error"],
      ["no-refund-to-flagged", "not-satisfied"],
      ["credit", "not-applicable"],
    ]);
  });
});
