import { defineTool } from "@governor/core";
import { z } from "zod";
import type { SupportSystems } from "./support-systems.js";

/** The hard cap no policy or approval can lift: larger refunds are not this agent's job at all. */
export const REFUND_HARD_CAP = 5000;

const orderId = z.string().regex(/^A-\d{4}$/, "an order id looks like A-1234");
const customerId = z.string().regex(/^C-\d{3}$/, "a customer id looks like C-123");

/** Reads: risk "read", so policy lets them run without a human, several in one turn. */
export function readTools(systems: SupportSystems) {
  return [
    defineTool({
      name: "lookup_customer",
      description: "Look up a customer's account: name and whether it is flagged.",
      input: z.object({ customerId }).strict(),
      scopes: ["customers:read"],
      risk: "read",
      idempotent: true,
      handler: ({ customerId }) => systems.customer(customerId) ?? { error: `no customer ${customerId}` },
    }),
    defineTool({
      name: "lookup_order",
      description: "Look up an order: item, total, amount refunded, status, delivery address and note.",
      input: z.object({ orderId }).strict(),
      scopes: ["orders:read"],
      risk: "read",
      idempotent: true,
      handler: ({ orderId }) => systems.order(orderId) ?? { error: `no order ${orderId}` },
    }),
    defineTool({
      name: "lookup_policy",
      description: "Read the help desk's policy on a topic: refunds, cancellations or shipping.",
      input: z.object({ topic: z.enum(["refunds", "cancellations", "shipping"]) }).strict(),
      scopes: ["kb:read"],
      risk: "read",
      idempotent: true,
      handler: ({ topic }) => ({ topic, text: systems.policy(topic) }),
    }),
  ];
}

/** Writes: each passes its precondition and the policy gate, and may wait for a supervisor. */
export function writeTools(systems: SupportSystems) {
  return [
    defineTool({
      name: "issue_refund",
      description: "Refund part or all of an order to the customer's original payment method.",
      input: z
        .object({
          orderId,
          amount: z
            .number()
            .positive()
            .max(REFUND_HARD_CAP, `refunds above ${REFUND_HARD_CAP} are never issued by an agent`),
          reason: z.string().min(3).max(500),
        })
        .strict(),
      scopes: ["refunds:write"],
      risk: "write",
      handler: ({ orderId, amount }, { idempotencyKey }) => {
        const refund = systems.refund(orderId, amount, idempotencyKey);
        return { refundId: refund.refundId, orderId, amount };
      },
    }),
    defineTool({
      name: "change_address",
      description: "Change the delivery address of an order that has not shipped yet.",
      input: z
        .object({
          orderId,
          street: z.string().min(3).max(200),
          city: z.string().min(2).max(100),
          postalCode: z.string().min(3).max(12),
        })
        .strict(),
      scopes: ["orders:write"],
      risk: "write",
      // Setting the same address twice changes nothing: safe to retry.
      idempotent: true,
      handler: ({ orderId, street, city, postalCode }) => {
        const order = systems.changeAddress(orderId, { street, city, postalCode });
        return { orderId, shipTo: order.shipTo };
      },
    }),
    defineTool({
      name: "cancel_order",
      description: "Cancel an order that has not shipped yet.",
      input: z.object({ orderId, reason: z.string().min(3).max(500) }).strict(),
      scopes: ["orders:write"],
      risk: "write",
      idempotent: true,
      handler: ({ orderId }) => ({ orderId, status: systems.cancel(orderId).status }),
    }),
  ];
}

/**
 * The account system's admin call, registered with the gateway but offered to no step of this
 * workflow, and needing a scope the support agent lacks. It is here so that an injected "call
 * delete_account" names a real handler: the refusal comes from the step's offer, and the test
 * counting deletions would see it if a call ever got through.
 */
export function deleteAccountTool(systems: SupportSystems) {
  return defineTool({
    name: "delete_account",
    description: "Delete a customer's account and all its data.",
    input: z.object({ customerId }).strict(),
    scopes: ["accounts:admin"],
    risk: "destructive",
    handler: ({ customerId }) => systems.deleteAccount(customerId),
  });
}
