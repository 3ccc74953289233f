import { CedarPolicyEngine } from "@governor/policy";

/**
 * The loop's policy, in Cedar as a deployment writes it: the desk agent may read any order
 * with orders:read and note one with orders:write. Both calls are allowed, so the run never
 * waits for a human; each one is still decided by Cedar, with the order as the resource.
 */
export function loopPolicy(): CedarPolicyEngine {
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
