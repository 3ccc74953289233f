import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";
import type { CedarRequest } from "./cedar-request.js";
import { requestShape } from "./cedar-shape.js";
import type { PolicyRequest } from "./decision.js";

// A policy that permits everything, so that only the schema stands between a malformed
// request and an allow: whatever a warm engine lets through unvalidated shows as an allow.
const schema = `namespace Governor {
  entity Agent = { roles: Set<String>, scopes: Set<String>, delegated: Bool, userId?: String };
  entity Order;
  entity Tool;
  action refund_order appliesTo {
    principal: Agent, resource: Order,
    context: { args: { orderId: String, amount: decimal }, flagged: Bool, meta?: { level: Long } },
  };
  action refund_tool appliesTo {
    principal: Agent, resource: Tool,
    context: { args: { orderId: String, amount: decimal }, flagged: Bool, meta?: { level: Long } },
  };
}`;
const sources = {
  schema: { name: "open.cedarschema", text: schema },
  policies: [{ name: "open.cedar", text: '@id("open") permit (principal, action, resource);' }],
};
const fresh = () => new CedarPolicyEngine(sources);

const valid: PolicyRequest = {
  principal: agentPrincipal("support", ["refunds:write"], ["support-agent"]),
  action: "refund_order",
  resource: { type: "Order", id: "A-1" },
  args: { orderId: "A-1", amount: 12.5 },
  context: { flagged: false, meta: { level: 1 } },
};

const malformed: [string, PolicyRequest][] = [
  ["an unknown resource type", { ...valid, resource: { type: "Invoice", id: "A-1" } }],
  ["a resource type the action does not apply to", { ...valid, action: "refund_tool" }],
  ["an action the schema does not declare", { ...valid, action: "wire_money" }],
  ["a fact of another type", { ...valid, context: { flagged: "no", meta: { level: 1 } } }],
  ["a nested fact of another type", { ...valid, context: { flagged: false, meta: { level: "high" } } }],
  ["an extra context key", { ...valid, context: { flagged: false, meta: { level: 1 }, vip: true } }],
  ["an extra nested key", { ...valid, context: { flagged: false, meta: { level: 1, x: 1 } } }],
  ["a missing required fact", { ...valid, context: {} }],
  ["an extra argument", { ...valid, args: { ...valid.args, note: "x" } }],
];

describe("the schema check cache", () => {
  it("allows the valid request, fresh or warm", () => {
    const engine = fresh();
    expect(engine.decide(valid).effect).toBe("allow");
    expect(engine.decide(valid).effect).toBe("allow");
  });

  it.each(malformed)("denies %s on a warm engine exactly as on a fresh one", (_, request) => {
    const cold = fresh().decide(request);
    expect(cold.effect).toBe("deny");
    const warm = fresh();
    expect(warm.decide(valid).effect).toBe("allow");
    expect(warm.decide(request)).toEqual(cold);
    // And the other way round: a malformed request first must not make the valid one fail.
    expect(warm.decide(valid).effect).toBe("allow");
  });

  it("keys on every type the schema validates: entity types, parents, attributes, action", () => {
    const base: CedarRequest = {
      principal: { type: "Governor::Agent", id: "a" },
      action: { type: "Governor::Action", id: "refund_order" },
      resource: { type: "Governor::Order", id: "o" },
      context: { args: { amount: { __extn: { fn: "decimal", arg: "1.0" } } } },
      entities: [{ uid: { type: "Governor::Agent", id: "a" }, attrs: { delegated: false }, parents: [] }],
    };
    const key = requestShape(base);
    const variants: CedarRequest[] = [
      { ...base, principal: { type: "Governor::User", id: "a" } },
      { ...base, action: { type: "Governor::Action", id: "refund_tool" } },
      { ...base, resource: { type: "Governor::Tool", id: "o" } },
      { ...base, context: { args: { amount: { __extn: { fn: "ip", arg: "1.0" } } } } },
      { ...base, context: { args: { amount: 1 } } },
      {
        ...base,
        entities: [{ uid: { type: "Governor::User", id: "a" }, attrs: { delegated: false }, parents: [] }],
      },
      {
        ...base,
        entities: [{ uid: { type: "Governor::Agent", id: "a" }, attrs: { delegated: "no" }, parents: [] }],
      },
      {
        ...base,
        entities: [
          {
            uid: { type: "Governor::Agent", id: "a" },
            attrs: { delegated: false },
            parents: [{ type: "Governor::Team", id: "t" }],
          },
        ],
      },
    ];
    for (const variant of variants) expect(requestShape(variant)).not.toBe(key);
    // Ids and values are not types: the same shape, validated once.
    expect(
      requestShape({
        ...base,
        principal: { type: "Governor::Agent", id: "b" },
        resource: { type: "Governor::Order", id: "p" },
        context: { args: { amount: { __extn: { fn: "decimal", arg: "99.5" } } } },
      }),
    ).toBe(key);
  });
});
