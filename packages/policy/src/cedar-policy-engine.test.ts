import fs from "node:fs";
import { agentPrincipal, delegatedPrincipal, type Principal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";
import type { PolicyRequest } from "./decision.js";

const deskDir = new URL("../test/fixtures/desk/", import.meta.url);
const desk = CedarPolicyEngine.fromDirectory(deskDir);
const deskSchema = fs.readFileSync(new URL("desk.cedarschema", deskDir), "utf8");
const support = agentPrincipal("support", ["refunds:write", "accounts:close"], ["support-agent"]);

function refund(
  amount: number,
  context: Record<string, unknown> = {},
  principal: Principal = support,
): PolicyRequest {
  return {
    principal,
    action: "issue_refund",
    resource: { type: "Order", id: "A-1001" },
    args: { orderId: "A-1001", amount },
    context: { accountFlagged: false, ...context },
  };
}

function close(principal: Principal, accountId = "u-7"): PolicyRequest {
  return { principal, action: "close_account", args: { accountId }, context: {} };
}

describe("CedarPolicyEngine decisions", () => {
  it("allows a permitted call, naming the permit and its reason", () => {
    const decision = desk.decide(refund(120));
    expect(decision).toEqual({
      effect: "allow",
      policyIds: ["support-may-refund"],
      reasons: ["support agents may refund customers' orders"],
      policyVersion: desk.version,
    });
  });

  it("asks for approval when an approval policy is satisfied on a permitted call", () => {
    const decision = desk.decide(refund(1200));
    expect(decision.effect).toBe("require-approval");
    expect(decision.policyIds).toEqual(["refund-over-500-needs-approval"]);
    expect(decision.reasons).toEqual(["refunds above $500 need a supervisor"]);
  });

  it("names every satisfied approval policy, a missing @reason falling back to the id", () => {
    const decision = desk.decide(refund(2500));
    expect(decision.effect).toBe("require-approval");
    expect(decision.policyIds).toEqual(["refund-over-500-needs-approval", "refund-over-2000-needs-approval"]);
    expect(decision.reasons).toEqual([
      "refunds above $500 need a supervisor",
      "refund-over-2000-needs-approval",
    ]);
  });

  it("lets a forbid win over a permit and over an approval", () => {
    for (const amount of [80, 1200]) {
      const decision = desk.decide(refund(amount, { accountFlagged: true, flagReason: "chargeback" }));
      expect(decision.effect).toBe("deny");
      expect(decision.policyIds).toEqual(["no-refund-to-flagged-account"]);
      expect(decision.reasons).toEqual(["refunds to a flagged account are forbidden — ask fraud review"]);
    }
  });

  it("denies when no permit is satisfied, by default, naming the permit considered and its false condition", () => {
    const clerk = agentPrincipal("clerk", ["refunds:write"], ["clerk"]);
    const decision = desk.decide(refund(120, {}, clerk));
    expect(decision).toMatchObject({
      effect: "deny",
      policyIds: [],
      reasons: [
        "no policy permits issue_refund",
        'permit "support-may-refund" did not apply: condition `when { principal.roles.contains("support-agent") }` is false',
      ],
    });
  });

  it("never lets an approval policy permit on its own, and says so", () => {
    const decision = desk.decide(close(support));
    expect(decision).toMatchObject({
      effect: "deny",
      policyIds: [],
      reasons: [
        "no policy permits close_account",
        'permit "delegated-may-close-account" did not apply: condition `when { principal.delegated }` is false',
        'approval "approval-only-cannot-close" matched, but an approval policy never permits on its own',
      ],
    });
  });

  it("sees a delegated principal's user, and the tool as the resource when the gate names none", () => {
    const forUser = delegatedPrincipal(support, "u-7", ["accounts:close"]);
    expect(desk.decide(close(forUser)).effect).toBe("require-approval");
    const other = desk.decide(close(forUser, "u-8"));
    expect(other.effect).toBe("deny");
    // The first conjunct that fails is named, after the ones that held.
    expect(other.reasons[1]).toBe(
      'permit "delegated-may-close-account" did not apply: condition `when { principal.userId == context.args.accountId }` is false',
    );
  });

  it("says a permit's scope does not match when the call names another resource type", () => {
    const twoResources = new CedarPolicyEngine({
      schema: {
        name: "two.cedarschema",
        text: deskSchema.replace("resource: Order,", "resource: [Order, Tool],"),
      },
      policies: [
        {
          name: "orders.cedar",
          text: `@id("orders-only")
permit (principal, action == Governor::Action::"issue_refund", resource is Governor::Order);`,
        },
      ],
    });
    expect(twoResources.decide(refund(120)).effect).toBe("allow");
    expect(twoResources.decide({ ...refund(120), resource: undefined }).reasons).toEqual([
      "no policy permits issue_refund",
      'permit "orders-only" did not apply: its scope\'s principal or resource does not match this call',
    ]);
  });

  it("explains every policy's outcome without changing the decision", () => {
    const clerk = agentPrincipal("clerk", ["refunds:write"], ["clerk"]);
    const request = refund(1200, {}, clerk);
    const { decision, policies } = desk.explain(request);
    expect(decision).toEqual(desk.decide(request));
    expect(policies.map((policy) => [policy.id, policy.effect, policy.outcome])).toEqual([
      ["delegated-may-close-account", "permit", "not-applicable"],
      ["approval-only-cannot-close", "require-approval", "not-applicable"],
      ["support-may-refund", "permit", "not-satisfied"],
      ["refund-over-500-needs-approval", "require-approval", "satisfied"],
      ["refund-over-2000-needs-approval", "require-approval", "not-satisfied"],
      ["no-refund-to-flagged-account", "forbid", "not-satisfied"],
    ]);
    expect(policies.find((policy) => policy.id === "refund-over-2000-needs-approval")?.detail).toBe(
      "condition `when { context.args.amount > 2000 }` is false",
    );
  });

  it("explains a request Cedar cannot evaluate as an error of every policy, and denies it", () => {
    const { decision, policies } = desk.explain(refund(120, { accountFlagged: "no" }));
    expect(decision.effect).toBe("deny");
    expect(new Set(policies.map((policy) => policy.outcome))).toEqual(new Set(["error"]));
    expect(policies[0]?.detail).toMatch(
      /^the request could not be evaluated: Cedar cannot evaluate this request/,
    );
  });

  it("denies a context of the wrong type with Cedar's error as the reason", () => {
    const decision = desk.decide(refund(120, { accountFlagged: "no" }));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual([]);
    expect(decision.reasons.join()).toMatch(
      /Cedar cannot evaluate this request: .*not valid for `Governor::Action::"issue_refund"`/,
    );
  });

  it("denies a context missing a required fact, or carrying one the schema does not declare", () => {
    expect(desk.decide({ ...refund(120), context: {} }).effect).toBe("deny");
    expect(desk.decide(refund(120, { vip: true })).reasons.join()).toMatch(/`vip` should not exist/);
  });

  it("denies a fractional amount the schema declares Long, saying where and what to declare, instead of rounding it", () => {
    const decision = desk.decide(refund(12.5));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons).toEqual([
      expect.stringMatching(
        /^context\.args\.amount is 12\.5, but the policy schema declares it Long .*declare it decimal/,
      ),
    ]);
  });

  it("denies a tool the schema does not know, and a resource type it does not know", () => {
    expect(desk.decide({ ...refund(10), action: "delete_everything" }).effect).toBe("deny");
    expect(desk.decide({ ...refund(10), resource: { type: "Invoice", id: "I-1" } }).effect).toBe("deny");
    expect(desk.decide({ ...refund(10), resource: { type: "not an id", id: "x" } }).reasons.join()).toMatch(
      /not a Cedar identifier/,
    );
  });

  it("denies when a policy fails to evaluate, where Cedar alone would skip the forbid and allow", () => {
    const overflowing = new CedarPolicyEngine({
      schema: { name: "desk.cedarschema", text: deskSchema },
      policies: [
        {
          name: "overflow.cedar",
          text: `@id("anyone-may-refund")
permit (principal, action == Governor::Action::"issue_refund", resource);
@id("no-huge-refunds")
forbid (principal, action == Governor::Action::"issue_refund", resource)
when { context.args.amount * 4611686018427387904 > 9000 };`,
        },
      ],
    });
    const decision = overflowing.decide(refund(120));
    expect(decision.effect).toBe("deny");
    expect(decision.policyIds).toEqual(["no-huge-refunds"]);
    expect(decision.reasons.join()).toMatch(/^policy "no-huge-refunds" failed to evaluate: .*overflow/);
  });

  it("refuses a run fact named args, which would shadow the tool's arguments", () => {
    const decision = desk.decide(refund(10, { args: { amount: 1 } }));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons.join()).toMatch(/context\.args is reserved/);
  });

  it("lists the loaded policies with their files", () => {
    expect([...desk.policies.keys()]).toContain("no-refund-to-flagged-account");
    expect(desk.policies.get("support-may-refund")).toMatchObject({
      effect: "permit",
      approval: false,
      position: { line: 3, column: 1 },
    });
    expect(desk.policies.get("support-may-refund")?.file).toMatch(/refunds\.cedar$/);
  });
});
