import { CedarPolicyEngine, type PolicyEngine, RulePolicyEngine } from "@governor/policy";

/** Which engine decides the loop's calls: Cedar (the default, as deployments write policy) or in-code rules. */
export type LoopPolicyKind = "cedar" | "rules";

/**
 * The loop's policy: the desk agent may read any order with orders:read and note one with
 * orders:write. Both calls are allowed, so the run never waits for a human; each one is still
 * decided by the engine, with the order as the resource. The two kinds say the same thing.
 */
export function loopPolicy(kind: LoopPolicyKind): PolicyEngine {
  return kind === "cedar" ? cedarPolicy() : rulesPolicy();
}

function cedarPolicy(): CedarPolicyEngine {
  return new CedarPolicyEngine({
    schema: {
      name: "agent-loop.cedarschema",
      text: `namespace Governor {
  entity Agent = { roles: Set<String>, scopes: Set<String>, delegated: Bool, userId?: String };
  entity Order;
  action lookup_order appliesTo {
    principal: Agent, resource: Order,
    context: { args: { orderId: String } },
  };
  action add_note appliesTo {
    principal: Agent, resource: Order,
    context: { args: { orderId: String, note: String } },
  };
}`,
    },
    policies: [
      {
        name: "agent-loop.cedar",
        text: `@id("desk-may-read-orders")
@reason("the order desk reads orders")
permit (principal is Governor::Agent, action == Governor::Action::"lookup_order", resource is Governor::Order)
when { principal.scopes.contains("orders:read") };

@id("desk-may-note-orders")
@reason("the order desk notes orders")
permit (principal is Governor::Agent, action == Governor::Action::"add_note", resource is Governor::Order)
when { principal.roles.contains("order-desk") && principal.scopes.contains("orders:write") };`,
      },
    ],
  });
}

function rulesPolicy(): RulePolicyEngine {
  return new RulePolicyEngine([
    {
      id: "desk-may-read-orders",
      actions: ["lookup_order"],
      effect: "permit",
      when: ({ principal, resource }) =>
        resource?.type === "Order" && principal.scopes.includes("orders:read"),
      reason: "the order desk reads orders",
    },
    {
      id: "desk-may-note-orders",
      actions: ["add_note"],
      effect: "permit",
      when: ({ principal, resource }) =>
        resource?.type === "Order" &&
        (principal.roles ?? []).includes("order-desk") &&
        principal.scopes.includes("orders:write"),
      reason: "the order desk notes orders",
    },
  ]);
}
