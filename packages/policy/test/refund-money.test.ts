import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { CedarPolicyEngine } from "../src/cedar-policy-engine.js";
import type { PolicyRequest } from "../src/decision.js";

// The refund sample's real policies and schema, as the sample loads them.
const refund = CedarPolicyEngine.fromDirectory(new URL("../../../graphs/refund/policies/", import.meta.url));
const support = agentPrincipal("support", ["refunds:write"], ["support-agent"]);

function refundOf(amount: number, facts: Record<string, unknown> = {}): PolicyRequest {
  return {
    principal: support,
    action: "issue_refund",
    resource: { type: "Order", id: "A-1002" },
    args: { orderId: "A-1002", amount, reason: "arrived broken" },
    context: { accountFlagged: false, flagReason: undefined, orderTotal: 1499.99, ...facts },
  };
}

describe("money through the refund sample's Cedar policy", () => {
  it("allows a $12.50 refund on its own", () => {
    expect(refund.decide(refundOf(12.5))).toMatchObject({
      effect: "allow",
      policyIds: ["support-may-refund"],
    });
  });

  it("sends $1,200.50 to a supervisor", () => {
    expect(refund.decide(refundOf(1200.5))).toMatchObject({
      effect: "require-approval",
      policyIds: ["refund-over-limit-needs-approval"],
    });
  });

  it("compares at the cent around the $500 limit, whole or fractional", () => {
    expect(refund.decide(refundOf(500)).effect).toBe("allow");
    expect(refund.decide(refundOf(500.0001)).effect).toBe("require-approval");
    expect(refund.decide(refundOf(499.99)).effect).toBe("allow");
    expect(refund.decide(refundOf(501)).effect).toBe("require-approval");
  });

  it("still lets the flagged-account forbid win over a fractional amount", () => {
    expect(refund.decide(refundOf(12.5, { accountFlagged: true })).effect).toBe("deny");
  });

  it("refuses an amount no Cedar decimal holds exactly, naming the argument, rather than rounding it", () => {
    const decision = refund.decide(refundOf(12.34567));
    expect(decision.effect).toBe("deny");
    expect(decision.reasons).toEqual([
      expect.stringMatching(
        /^context\.args\.amount is 12\.34567: a Cedar decimal has at most 4 decimal places/,
      ),
    ]);
  });
});
