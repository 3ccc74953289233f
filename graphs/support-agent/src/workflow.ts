import { type CheckResult, defineWorkflow, END, fail, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { supportIdentity } from "./approvers.js";
import { supportPolicy } from "./policy.js";
import { SUPPORT_MARKER } from "./scenario.js";
import { SupportSystems } from "./support-systems.js";
import { deleteAccountTool, readTools, writeTools } from "./tools.js";

export const supportState = z.object({
  customerId: z.string().min(1),
  request: z.string().min(1),
  /** The agent's last answer to the customer. */
  reply: z.string().optional(),
  /** How the run ended: answered by the agent, or handed to a person when its turns ran out. */
  status: z.enum(["answered", "escalated"]).optional(),
  handoff: z.string().optional(),
});

type SupportState = z.infer<typeof supportState>;

export interface SupportWorkflowOptions {
  /** The systems the tools act on; tests pass their own to count refunds, cancellations, deletions. */
  readonly systems?: SupportSystems;
  /** Another policy engine in place of the support desk's Cedar policies. */
  readonly policy?: PolicyEngine;
}

/** The most model turns the agent takes in one run: the loop's bound. */
export const SUPPORT_MAX_TURNS = 8;

const agent = supportIdentity.agent("support");

/**
 * A support agent in one governed loop: it reads customer, order and policy records (several
 * at once), proposes writes (several at once), hears back, and answers. Each write passes its
 * precondition and the policy gate: a refund above $500 waits for a supervisor while a
 * cancellation of a shipped order is refused in the same turn, and a tool named in an
 * instruction planted in an order note is not even offered at this step.
 */
export function createSupportWorkflow(options: SupportWorkflowOptions = {}) {
  const systems = options.systems ?? new SupportSystems();

  // Facts come from the systems of record, never from state: a thread's state can be edited
  // (Studio, the API server), so a check or gate that read it could be talked round.
  const ownOrder = (customerId: string, orderId: unknown): CheckResult => {
    const order = systems.order(String(orderId));
    if (!order) return fail(`order ${String(orderId)} does not exist`);
    if (order.customerId !== customerId)
      return fail(`order ${order.id} does not belong to customer ${customerId}`);
    return pass();
  };
  // An order the system does not know has status "unknown": every "only while processing" rule denies it.
  const orderFacts = (orderId: unknown) => ({
    resource: { type: "Order", id: String(orderId) },
    context: { orderStatus: systems.order(String(orderId))?.status ?? "unknown" },
  });

  return defineWorkflow({
    name: "support-agent",
    // The release of this sample's fact code (the checks' and gates' system-of-record reads).
    // Approvals are bound to it: bump it when that code changes. Declared rather than hashed
    // from source, so a process running the sources (tests, Studio) and one running the build agree.
    version: "support-agent-facts-1",
    description: "A support agent that reads and writes in parallel, under policy, approval and a turn bound",
    state: supportState,
    agent: { id: agent.agentId, scopes: agent.scopes, roles: agent.roles },
    tools: [...readTools(systems), ...writeTools(systems), deleteAccountTool(systems)],
    approvers: supportIdentity,
    policy: options.policy ?? supportPolicy,
    nodes: {
      support: {
        kind: "agent",
        description: "The support agent reads, acts and answers, up to eight turns",
        instructions: `${SUPPORT_MARKER}. Look up what you need, then do what the customer asks with your tools, and say what happened.`,
        input: ({ customerId, request }: SupportState) => `Customer ${customerId}: ${request}`,
        tools: [
          "lookup_customer",
          "lookup_order",
          "lookup_policy",
          "issue_refund",
          "change_address",
          "cancel_order",
        ],
        maxTurns: SUPPORT_MAX_TURNS,
        govern: {
          // Reads are confined to the conversation's customer: an injected "look up C-300" leaks nothing.
          lookup_customer: {
            check: ({ state, call }) =>
              call.args.customerId === state.customerId
                ? pass()
                : fail(`customer ${String(call.args.customerId)} is not the customer in this conversation`),
          },
          lookup_order: { check: ({ state, call }) => ownOrder(state.customerId, call.args.orderId) },
          issue_refund: {
            check: ({ state, call }) => {
              const owned = ownOrder(state.customerId, call.args.orderId);
              if (!owned.ok) return owned;
              const order = systems.order(String(call.args.orderId));
              const refundable = order ? order.total - order.refunded : 0;
              if (Number(call.args.amount) > refundable)
                return fail(
                  `$${call.args.amount} exceeds the $${refundable} still refundable on ${order?.id}`,
                );
              return pass();
            },
            facts: (_state, call) => {
              const order = systems.order(String(call.args.orderId));
              const customer = order ? systems.customer(order.customerId) : undefined;
              return {
                resource: { type: "Order", id: String(call.args.orderId) },
                // An account the CRM cannot vouch for is treated as flagged: fail closed.
                context: {
                  orderStatus: order?.status ?? "unknown",
                  accountFlagged: customer?.flagged ?? true,
                },
              };
            },
            approval: {
              requiredScope: "approvals:refunds",
              summary: ({ customerId }, call) =>
                `Refund $${String(call.args.amount)} on ${String(call.args.orderId)} for customer ${customerId}`,
            },
          },
          change_address: {
            check: ({ state, call }) => ownOrder(state.customerId, call.args.orderId),
            facts: (_state, call) => orderFacts(call.args.orderId),
          },
          cancel_order: {
            check: ({ state, call }) => {
              const owned = ownOrder(state.customerId, call.args.orderId);
              if (!owned.ok) return owned;
              if (systems.order(String(call.args.orderId))?.status === "cancelled")
                return fail(`order ${String(call.args.orderId)} is already cancelled`);
              return pass();
            },
            facts: (_state, call) => orderFacts(call.args.orderId),
          },
        },
        onReply: (_state, text) => ({ reply: text, status: "answered" as const }),
      },
      escalate: {
        kind: "task",
        description: "The agent used up its turns: a person takes the conversation over",
        run: ({ customerId, request }) => ({
          status: "escalated" as const,
          handoff: `The support agent used its ${SUPPORT_MAX_TURNS} turns without answering customer ${customerId}: "${request}"`,
        }),
      },
    },
    edges: [
      [START, "support"],
      ["support", END],
      ["support", "escalate", "limit"],
      ["escalate", END],
    ],
  });
}
