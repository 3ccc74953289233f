import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DeferredCedarPolicyEngine } from "./cedar-deferred.js";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";
import type { PolicyRequest } from "./decision.js";

const fixture = (name: string) => new URL(`../test/fixtures/${name}/`, import.meta.url);
const support = agentPrincipal("support", ["refunds:write", "accounts:close"], ["support-agent"]);
const refund = (amount: number): PolicyRequest => ({
  principal: support,
  action: "issue_refund",
  resource: { type: "Order", id: "A-1001" },
  args: { orderId: "A-1001", amount },
  context: { accountFlagged: false },
});

describe("DeferredCedarPolicyEngine", () => {
  it("parses nothing until asked, then decides exactly as the eager engine", () => {
    const deferred = DeferredCedarPolicyEngine.fromDirectory(fixture("desk"));
    expect(deferred.loaded).toBe(false);
    const eager = CedarPolicyEngine.fromDirectory(fixture("desk"));
    for (const amount of [120, 1200, 2500]) {
      expect(deferred.decide(refund(amount))).toEqual(eager.decide(refund(amount)));
    }
    expect(deferred.loaded).toBe(true);
    expect(deferred.version).toBe(eager.version);
    expect([...deferred.policies.keys()]).toEqual([...eager.policies.keys()]);
    expect(deferred.warnings).toEqual(eager.warnings);
    expect(deferred.explain(refund(1200))).toEqual(eager.explain(refund(1200)));
  });

  it("loads on the contract check compile makes, so a workflow is checked before any run", () => {
    const deferred = DeferredCedarPolicyEngine.fromDirectory(fixture("desk"));
    // The amount as a string disagrees with the schema's number: the check must see the schema.
    const tools = [{ name: "issue_refund", input: z.object({ orderId: z.string(), amount: z.string() }) }];
    const mismatches = deferred.checkContracts(tools);
    expect(mismatches.length).toBeGreaterThan(0);
    expect(mismatches).toEqual(CedarPolicyEngine.fromDirectory(fixture("desk")).checkContracts(tools));
    expect(deferred.loaded).toBe(true);
  });

  it("a set that does not load fails every use with POLICY_LOAD_FAILED, never deciding", () => {
    const broken = DeferredCedarPolicyEngine.fromDirectory(fixture("broken-syntax"));
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => broken.decide(refund(120))).toThrow(
        expect.objectContaining({ code: "POLICY_LOAD_FAILED" }),
      );
      expect(() => broken.version).toThrow(expect.objectContaining({ code: "POLICY_LOAD_FAILED" }));
      expect(() => broken.checkContracts([])).toThrow(
        expect.objectContaining({ code: "POLICY_LOAD_FAILED" }),
      );
    }
    expect(broken.loaded).toBe(false);
  });

  it("reads the files when constructed: a missing directory fails at once", () => {
    expect(() => DeferredCedarPolicyEngine.fromDirectory(fixture("no-such-dir"))).toThrow(
      expect.objectContaining({ code: "POLICY_LOAD_FAILED" }),
    );
  });
});
