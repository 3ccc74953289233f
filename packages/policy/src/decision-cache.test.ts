import { agentPrincipal, delegatedPrincipal, type Principal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";
import type { PolicyDecision, PolicyRequest } from "./decision.js";
import { DecisionCache, MAX_CACHED_KEY_CHARS } from "./decision-cache.js";

// Every attribute the cache key must cover is read by some policy here, so a key that left
// one out would hand a later request the earlier request's allow.
const schema = `namespace Governor {
  entity Agent = { roles: Set<String>, scopes: Set<String>, delegated: Bool, userId?: String };
  entity Order;
  entity Account;
  action pay appliesTo {
    principal: Agent,
    resource: [Order, Account],
    context: {
      args: { amount: decimal, memo: String },
      account: { flagged: Bool, owner: { region: String } },
    },
  };
}`;

const permits = `
@id("payers-pay")
permit (principal, action == Governor::Action::"pay", resource is Governor::Order)
when { principal.scopes.contains("pay:write") && principal.roles.contains("payer") };

@id("large-needs-approval")
@approval
permit (principal, action == Governor::Action::"pay", resource)
when { context.args.amount.greaterThan(decimal("100.0")) };

@id("no-flagged")
forbid (principal, action == Governor::Action::"pay", resource)
when { context.account.flagged || context.account.owner.region == "embargoed" };

@id("no-memo-secrets")
forbid (principal, action == Governor::Action::"pay", resource)
when { context.args.memo like "*secret*" };

@id("no-user-9")
forbid (principal, action == Governor::Action::"pay", resource)
when { principal.delegated && principal has userId && principal.userId == "9" };

@id("no-order-X")
forbid (principal, action == Governor::Action::"pay", resource == Governor::Order::"X");
`;

const engineWith = (policies: string) =>
  new CedarPolicyEngine({
    schema: { name: "pay.cedarschema", text: schema },
    policies: [{ name: "pay.cedar", text: policies }],
  });

const payer = agentPrincipal("payer", ["pay:write"], ["payer"]);

function pay(
  overrides: {
    principal?: Principal;
    amount?: number;
    memo?: string;
    flagged?: boolean;
    region?: string;
    resource?: { type: string; id: string };
  } = {},
): PolicyRequest {
  return {
    principal: overrides.principal ?? payer,
    action: "pay",
    resource: overrides.resource ?? { type: "Order", id: "A-1" },
    args: { amount: overrides.amount ?? 10, memo: overrides.memo ?? "thanks" },
    context: {
      account: { flagged: overrides.flagged ?? false, owner: { region: overrides.region ?? "eu" } },
    },
  };
}

/** Decides `warm` (an allow, now cached), then `probe` on the same engine and on a fresh one. */
function afterWarmAllow(probe: PolicyRequest, policies = permits) {
  const engine = engineWith(policies);
  const warm = engine.decide(pay());
  expect(warm.effect).toBe("allow");
  expect(engine.decide(pay())).toBe(warm); // the same frozen object: a cache hit
  return { warm: engine.decide(probe), fresh: engineWith(policies).decide(probe) };
}

describe("the Cedar engine's decision cache", () => {
  it("answers a repeated request from the cache, with the same decision a fresh engine gives", () => {
    const engine = engineWith(permits);
    const first = engine.decide(pay({ amount: 250 }));
    const second = engine.decide(pay({ amount: 250 }));
    expect(second).toBe(first);
    expect(second).toEqual(engineWith(permits).decide(pay({ amount: 250 })));
    expect(second.effect).toBe("require-approval");
  });

  it.each([
    ["a nested context value", pay({ region: "embargoed" }), "deny", ["no-flagged"]],
    ["a context flag", pay({ flagged: true }), "deny", ["no-flagged"]],
    ["an argument value", pay({ amount: 100.5 }), "require-approval", ["large-needs-approval"]],
    ["an argument string", pay({ memo: "top secret" }), "deny", ["no-memo-secrets"]],
    ["the resource id", pay({ resource: { type: "Order", id: "X" } }), "deny", ["no-order-X"]],
    ["the resource type", pay({ resource: { type: "Account", id: "A-1" } }), "deny", []],
    ["a principal scope", pay({ principal: agentPrincipal("payer", ["pay:read"], ["payer"]) }), "deny", []],
    ["a principal role", pay({ principal: agentPrincipal("payer", ["pay:write"], ["viewer"]) }), "deny", []],
    [
      "delegation to a user",
      pay({ principal: delegatedPrincipal(payer, "9", ["pay:write"]) }),
      "deny",
      ["no-user-9"],
    ],
  ] as const)("misses when only %s differs, and decides as a fresh engine does", (_, probe, effect, ids) => {
    const { warm, fresh } = afterWarmAllow(probe);
    expect(warm.effect).toBe(effect);
    expect(warm.policyIds).toEqual(ids);
    expect(warm).toEqual(fresh);
  });

  it("misses when only the delegated user differs, though the principal's scopes and roles are the same", () => {
    const engine = engineWith(permits);
    expect(engine.decide(pay({ principal: delegatedPrincipal(payer, "8", ["pay:write"]) })).effect).toBe(
      "allow",
    );
    const other = engine.decide(pay({ principal: delegatedPrincipal(payer, "9", ["pay:write"]) }));
    expect(other.effect).toBe("deny");
    expect(other.policyIds).toEqual(["no-user-9"]);
  });

  it("does not carry a decision to an engine whose policy text differs in one character", () => {
    const stricter = permits.replace('greaterThan(decimal("100.0"))', 'greaterThan(decimal("1.0"))');
    const lenient = engineWith(permits);
    const strict = engineWith(stricter);
    expect(strict.version).not.toBe(lenient.version);
    expect(lenient.decide(pay()).effect).toBe("allow");
    const decided = strict.decide(pay());
    expect(decided.effect).toBe("require-approval");
    expect(decided.policyVersion).toBe(strict.version);
    expect(lenient.decide(pay()).policyVersion).toBe(lenient.version);
  });

  it("hands out decisions that cannot be changed to alter a later hit", () => {
    const engine = engineWith(permits);
    const decided = engine.decide(pay()) as { effect: string; policyIds: string[] };
    expect(() => {
      decided.effect = "deny";
    }).toThrow(TypeError);
    expect(() => decided.policyIds.push("forged")).toThrow(TypeError);
    expect(engine.decide(pay())).toEqual(engineWith(permits).decide(pay()));
  });

  it("does not keep a request Cedar could not evaluate: a later valid one is decided on its own", () => {
    const engine = engineWith(permits);
    // A whole-number amount where the schema says String is refused by Cedar's validation.
    const bad = { ...pay(), args: { amount: 10, memo: 7 } };
    const refused = engine.decide(bad);
    expect(refused.effect).toBe("deny");
    expect(refused.reasons.join(" ")).toMatch(/cannot evaluate|memo/);
    expect(engine.decide(bad)).not.toBe(refused);
    expect(engine.decide(pay()).effect).toBe("allow");
  });
});

describe("DecisionCache", () => {
  const decision = (effect: PolicyDecision["effect"]): PolicyDecision => ({
    effect,
    reasons: [effect],
    policyIds: [],
    policyVersion: "v",
  });

  it("evicts the least recently used entry beyond its capacity", () => {
    const cache = new DecisionCache(2);
    cache.set("a", decision("allow"));
    cache.set("b", decision("deny"));
    expect(cache.get("a")?.effect).toBe("allow"); // "a" is now the most recent
    cache.set("c", decision("require-approval"));
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.effect).toBe("allow");
    expect(cache.get("c")?.effect).toBe("require-approval");
  });

  it("keeps nothing under an oversized key or with no capacity, but still freezes what it returns", () => {
    const cache = new DecisionCache(4);
    const kept = cache.set("k".repeat(MAX_CACHED_KEY_CHARS + 1), decision("allow"));
    expect(cache.size).toBe(0);
    expect(Object.isFrozen(kept)).toBe(true);
    const none = new DecisionCache(0);
    none.set("a", decision("allow"));
    expect(none.get("a")).toBeUndefined();
  });
});
