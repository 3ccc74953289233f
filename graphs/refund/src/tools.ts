import { defineTool } from "@governor/core";
import { z } from "zod";
import type { PaymentsLedger } from "./payments.js";

/** The hard cap no policy or approval can lift: larger refunds are not this agent's job at all. */
export const REFUND_HARD_CAP = 5000;

/**
 * @param options.idempotent declare the refund safe to run twice with one key: true when the
 *   payments system deduplicates by the idempotency key it is given (most PSPs do).
 */
export function issueRefundTool(ledger: PaymentsLedger, options: { idempotent?: boolean } = {}) {
  return defineTool({
    name: "issue_refund",
    description: "Refund part or all of a customer's order to their original payment method.",
    input: z
      .object({
        orderId: z.string().regex(/^A-\d{4}$/, "an order id looks like A-1234"),
        amount: z
          .number()
          .positive()
          .max(REFUND_HARD_CAP, `refunds above ${REFUND_HARD_CAP} are never issued by an agent`),
        reason: z.string().min(3).max(500),
      })
      .strict(),
    scopes: ["refunds:write"],
    risk: "write",
    idempotent: options.idempotent ?? false,
    handler: ({ orderId, amount }, { idempotencyKey }) => {
      const refund = ledger.refund(orderId, amount, idempotencyKey);
      return { refundId: refund.refundId, orderId, amount };
    },
  });
}
