import { defineWorkflow, END, fail, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { refundApprovers } from "./approvers.js";
import { type Crm, sampleCrm } from "./crm.js";
import { PaymentsLedger } from "./payments.js";
import { refundPolicy } from "./policy.js";
import { PROPOSE_MARKER, REPLY_MARKER } from "./scenario.js";
import { issueRefundTool } from "./tools.js";

export const refundState = z.object({
  customerId: z.string().min(1),
  orderId: z.string().min(1),
  request: z.string().min(1),
  account: z
    .object({ id: z.string(), name: z.string(), flagged: z.boolean(), flagReason: z.string().optional() })
    .optional(),
  order: z
    .object({
      id: z.string(),
      customerId: z.string(),
      item: z.string(),
      total: z.number(),
      refunded: z.number(),
    })
    .optional(),
  refund: z.object({ refundId: z.string(), orderId: z.string(), amount: z.number() }).optional(),
  reply: z.string().optional(),
});

export interface RefundWorkflowOptions {
  readonly crm?: Crm;
  /** The payments system the refund tool acts on; tests pass their own to count refunds. */
  readonly ledger?: PaymentsLedger;
  /** Declare the refund tool idempotent (the payments system deduplicates by key). Default: false. */
  readonly idempotentRefunds?: boolean;
  /** Another policy engine in place of the refund desk's rules. */
  readonly policy?: PolicyEngine;
}

/**
 * A customer asks for a refund; the model proposes one; Governor decides. Refunds up to
 * $500 run alone, larger ones wait for a supervisor, flagged accounts are refused, and
 * a payload the contract cannot parse never reaches the payments system.
 */
export function createRefundWorkflow(options: RefundWorkflowOptions = {}) {
  const crm = options.crm ?? sampleCrm();
  const ledger = options.ledger ?? new PaymentsLedger();
  return defineWorkflow({
    name: "refund",
    // The release of this sample's fact code (the gates' CRM/system-of-record reads). Approvals
    // are bound to it: bump it when that code changes. Declared rather than hashed from source,
    // so a process running the sources (tests, Studio) and one running the build agree.
    version: "refund-facts-1",
    description:
      "Customer refund desk with an autonomous limit, supervisor approval and a flagged-account ban",
    state: refundState,
    agent: { id: "support", scopes: ["refunds:write", "orders:read"], roles: ["support-agent"] },
    tools: [issueRefundTool(ledger, { idempotent: options.idempotentRefunds })],
    approvers: refundApprovers,
    policy: options.policy ?? refundPolicy,
    nodes: {
      load_customer: {
        kind: "task",
        description: "Load the customer's account and order",
        run: ({ customerId, orderId }) => ({ account: crm.account(customerId), order: crm.order(orderId) }),
      },
      propose: {
        kind: "model",
        description: "The model proposes a refund",
        instructions: `${PROPOSE_MARKER} at Acme. Be helpful: use issue_refund to refund what the customer asks for.`,
        input: ({ orderId, customerId, request, order }) =>
          `Order ${orderId} (customer ${customerId}${order ? `, ${order.item}, total $${order.total}` : ""}): ${request}`,
        tools: ["issue_refund"],
      },
      has_proposal: {
        kind: "route",
        branches: ["refund", "answer"],
        decide: (_state, proposal) => (proposal?.tool === "issue_refund" ? "refund" : "answer"),
      },
      check_refund: {
        kind: "precondition",
        description: "The order exists, is the customer's, and the amount is still refundable",
        guards: "issue_refund",
        // Facts come from the system of record, not from state: a thread's state can be edited
        // (Studio, the API server), so a check or gate that read it could be talked round.
        check: ({ state, call }) => {
          const { customerId, orderId } = state;
          const order = crm.order(orderId);
          if (!order) return fail(`order ${orderId} does not exist`);
          if (call.args.orderId !== orderId)
            return fail(
              `the proposal refunds ${String(call.args.orderId)}, not this conversation's order ${orderId}`,
            );
          if (order.customerId !== customerId)
            return fail(`order ${orderId} does not belong to customer ${customerId}`);
          const refundable = order.total - order.refunded;
          if (Number(call.args.amount) > refundable)
            return fail(`$${call.args.amount} exceeds the $${refundable} still refundable on ${orderId}`);
          return pass();
        },
      },
      refund_gate: {
        kind: "gate",
        description: "Policy decides: allow, deny or ask a supervisor",
        guards: "issue_refund",
        // The flags of the account that owns the order, read from the CRM at decision time.
        context: ({ orderId }) => {
          const order = crm.order(orderId);
          const account = order ? crm.account(order.customerId) : undefined;
          return {
            // An order or account the CRM does not know is treated as flagged: fail closed.
            accountFlagged: account?.flagged ?? true,
            flagReason: account ? account.flagReason : "unknown account",
            orderTotal: order?.total,
          };
        },
        resource: ({ orderId }) => ({ type: "Order", id: orderId }),
      },
      refund_approval: {
        kind: "approval",
        description: "A supervisor approves or rejects this exact refund",
        guards: "issue_refund",
        requiredScope: "approvals:refunds",
        summary: ({ account }, call) =>
          `Refund $${call.args.amount} on ${call.args.orderId} for ${account?.name ?? "unknown customer"}`,
      },
      issue_refund: {
        kind: "action",
        description: "Issue the refund through the payments system",
        tool: "issue_refund",
        onResult: (_state, result) => ({
          refund: result as { refundId: string; orderId: string; amount: number },
        }),
      },
      respond: {
        kind: "model",
        description: "Tell the customer what happened",
        instructions: `${REPLY_MARKER}: say plainly what happened to their request. Promise nothing that did not happen.`,
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "load_customer"],
      ["load_customer", "propose"],
      ["propose", "has_proposal"],
      ["has_proposal", "check_refund", "refund"],
      ["has_proposal", "respond", "answer"],
      ["check_refund", "refund_gate", "pass"],
      ["check_refund", "respond", "fail"],
      ["refund_gate", "issue_refund", "allow"],
      ["refund_gate", "refund_approval", "approval"],
      ["refund_gate", "respond", "deny"],
      ["refund_approval", "issue_refund", "approved"],
      ["refund_approval", "respond", "rejected"],
      ["issue_refund", "respond"],
      ["issue_refund", "respond", "failed"],
      ["respond", END],
    ],
  });
}
