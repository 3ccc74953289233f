import { type CheckResult, defineWorkflow, END, fail, type ProposedCall, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { receivablesIdentity } from "./approvers.js";
import { ReceivablesLedger } from "./ledger.js";
import { receivablesPolicy } from "./policy.js";
import { COLLECTIONS_MARKER } from "./scenario.js";
import { readTools, writeTools } from "./tools.js";

export const receivablesState = z.object({
  accountId: z.string().min(1),
  instruction: z.string().min(1),
  /** The agent's report of what it sent and why the rest was not. */
  reply: z.string().optional(),
  status: z.enum(["reported", "escalated"]).optional(),
  handoff: z.string().optional(),
});

type ReceivablesState = z.infer<typeof receivablesState>;

export interface ReceivablesWorkflowOptions {
  /** The systems the tools act on; tests pass their own to count notices and CRM updates. */
  readonly ledger?: ReceivablesLedger;
  /** Another policy engine in place of the receivables desk's Cedar policies. */
  readonly policy?: PolicyEngine;
  /**
   * Drop send_notice's precondition and declare the policy sufficient: only for showing that
   * the policy alone still holds the dispute rules (defence in depth). Default: false.
   */
  readonly policyOnly?: boolean;
}

/** The most model turns the agent takes in one run: the loop's bound. */
export const RECEIVABLES_MAX_TURNS = 8;

const agent = receivablesIdentity.agent("collections");

/**
 * Accounts receivable as one governed agent loop: retrieve unpaid invoices, check disputes,
 * draft and send notices, update the CRM. Whatever order the model tries, no final default
 * notice goes out before the dispute desk has been asked about that invoice (the send_notice
 * precondition reads the desk's log), a disputed invoice gets no notice at all (policy, on the
 * dispute fact read at decision time), and each final notice waits for a credit controller.
 */
export function createReceivablesWorkflow(options: ReceivablesWorkflowOptions = {}) {
  const ledger = options.ledger ?? new ReceivablesLedger();
  // Facts come from the systems of record, never from state or from what the model was told:
  // a thread's state can be edited, and the model can be wrong about what it checked.
  // Every call about an invoice is confined to the run's account: the agent works one account.
  const accountInvoice = ({ state, call }: { state: ReceivablesState; call: ProposedCall }): CheckResult => {
    const invoiceId = String(call.args.invoiceId);
    const invoice = ledger.invoice(invoiceId);
    if (!invoice) return fail(`invoice ${invoiceId} does not exist or is paid`);
    if (invoice.accountId !== state.accountId)
      return fail(
        `invoice ${invoiceId} belongs to ${invoice.accountId}, not this run's account ${state.accountId}`,
      );
    return pass();
  };
  const noticeCheck = (input: { state: ReceivablesState; call: ProposedCall }): CheckResult => {
    const { call } = input;
    const invoiceId = String(call.args.invoiceId);
    const owned = accountInvoice(input);
    if (!owned.ok) return owned;
    if (call.args.kind === "final_default" && !ledger.freshCheck(invoiceId))
      return fail(
        `no dispute check is logged for ${invoiceId} in the last 24 hours: call check_dispute_status before a final default notice`,
      );
    return pass();
  };

  return defineWorkflow({
    name: "receivables",
    // The release of this sample's fact code (the checks' and gates' system-of-record reads).
    // Approvals are bound to it: bump it when that code changes. Declared rather than hashed
    // from source, so a process running the sources (tests, Studio) and one running the build agree.
    version: "receivables-facts-1",
    description:
      "Collections without mistakes: no final notice before a dispute check, none ever to a disputed invoice",
    state: receivablesState,
    agent: { id: agent.agentId, scopes: agent.scopes, roles: agent.roles },
    tools: [...readTools(ledger), ...writeTools(ledger)],
    approvers: receivablesIdentity,
    policy: options.policy ?? receivablesPolicy,
    nodes: {
      collections: {
        kind: "agent",
        description: "The collections agent works the account's unpaid invoices, up to eight turns",
        instructions: `${COLLECTIONS_MARKER}. Collect overdue invoices firmly with your tools, then report what you sent.`,
        input: ({ accountId, instruction }: ReceivablesState) => `Account ${accountId}: ${instruction}`,
        tools: [
          "retrieve_unpaid_invoices",
          "check_dispute_status",
          "draft_reminder",
          "send_notice",
          "update_crm",
        ],
        maxTurns: RECEIVABLES_MAX_TURNS,
        govern: {
          retrieve_unpaid_invoices: {
            check: ({ state, call }) =>
              call.args.accountId === state.accountId
                ? pass()
                : fail(`account ${String(call.args.accountId)} is not this run's account ${state.accountId}`),
          },
          check_dispute_status: { check: accountInvoice },
          draft_reminder: { check: accountInvoice },
          send_notice: {
            ...(options.policyOnly
              ? { sufficient: { reason: "test variant: the policy alone holds the dispute rules" } }
              : { check: noticeCheck }),
            facts: (_state, call) => {
              const invoiceId = String(call.args.invoiceId);
              const invoice = ledger.invoice(invoiceId);
              return {
                resource: { type: "Invoice", id: invoiceId },
                context: {
                  // An invoice the ledger does not know counts as disputed: fail closed.
                  disputed: invoice ? ledger.disputed(invoiceId) : true,
                  disputeChecked: ledger.freshCheck(invoiceId) !== undefined,
                  daysOverdue: invoice?.daysOverdue ?? 0,
                },
              };
            },
            approval: {
              requiredScope: "approvals:collections",
              summary: ({ accountId }, call) =>
                `${String(call.args.kind)} notice for ${String(call.args.invoiceId)} (${accountId}): ${String(call.args.body)}`,
            },
          },
          update_crm: {
            check: ({ state, call }) =>
              call.args.accountId === state.accountId && ledger.account(state.accountId)
                ? pass()
                : fail(
                    `the CRM update names ${String(call.args.accountId)}, not this run's account ${state.accountId}`,
                  ),
            facts: (_state, call) => ({ resource: { type: "Account", id: String(call.args.accountId) } }),
          },
        },
        onReply: (_state, text) => ({ reply: text, status: "reported" as const }),
      },
      escalate: {
        kind: "task",
        description: "The agent used up its turns: a credit controller takes the account over",
        run: ({ accountId, instruction }) => ({
          status: "escalated" as const,
          handoff: `The collections agent used its ${RECEIVABLES_MAX_TURNS} turns on ${accountId} without finishing: "${instruction}"`,
        }),
      },
    },
    edges: [
      [START, "collections"],
      ["collections", END],
      ["collections", "escalate", "limit"],
      ["escalate", END],
    ],
  });
}
