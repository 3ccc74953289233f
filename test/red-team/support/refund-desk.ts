import type { GovernorRuntime, RunOutcome, Workflow } from "@governor/core";
import { type ApprovalBinding, signApprovalDecision } from "@governor/identity";
import type { PolicyEngine } from "@governor/policy";
import {
  type Crm,
  createRefundSample,
  PaymentsLedger,
  PROPOSE_MARKER,
  sampleCrm,
} from "@governor/sample-refund";
import { expect } from "vitest";
import { type AttackCall, proposing } from "./attacker.js";

/** The refund sample's proposing step, as an attack script matches it. */
export const REFUND_STEP = new RegExp(PROPOSE_MARKER);

/** The conversation's order is the $150 lamp (C-100); A-1002 is the same customer's $1,499 laptop. */
export const LAMP = { customerId: "C-100", orderId: "A-1001", request: "My lamp arrived cracked." };
export const LAPTOP = { customerId: "C-100", orderId: "A-1002", request: "The laptop never arrived." };
export const FLAGGED = { customerId: "C-300", orderId: "A-3001", request: "Refund my headphones." };

/** A refund desk with its own payments ledger: the ledger's refunds are the real side effects. */
export interface RefundDesk {
  readonly ledger: PaymentsLedger;
  readonly workflow: Workflow;
}

export function refundDesk(options: { policy?: PolicyEngine; crm?: Crm } = {}): RefundDesk {
  const ledger = new PaymentsLedger();
  const { workflow } = createRefundSample({ ledger, ...options });
  return { ledger, workflow };
}

/** A CRM like the sample's, plus orders of the test's own. */
export function crmWith(...orders: { id: string; customerId: string; item: string; total: number }[]): Crm {
  const base = sampleCrm();
  return {
    account: (customerId) => base.account(customerId),
    order: (orderId) => {
      const extra = orders.find((order) => order.id === orderId);
      return extra ? { ...extra, refunded: 0 } : base.order(orderId);
    },
  };
}

/** A model that proposes exactly these refund-step calls, whatever the customer wrote. */
export function refundAttack(name: string, calls: readonly AttackCall[]) {
  return proposing(name, REFUND_STEP, calls);
}

/** An `issue_refund` call with the sample's reason unless the attack overrides it. */
export function refundCall(args: Record<string, unknown>): AttackCall {
  return { name: "issue_refund", args: { reason: "customer request", ...args } };
}

/** Starts a refund the policy sends to a supervisor, and checks it is waiting with nothing refunded. */
export async function startWaiting(
  runtime: GovernorRuntime,
  desk: RefundDesk,
  amount = 1200,
): Promise<RunOutcome & { approval: NonNullable<RunOutcome["approval"]> }> {
  const { model } = refundAttack("large", [refundCall({ orderId: "A-1002", amount })]);
  const outcome = await runtime.start(desk.workflow, LAPTOP, { model });
  expect(outcome.status).toBe("waiting");
  expect(desk.ledger.refunds).toHaveLength(0);
  if (!outcome.approval) throw new Error("the refund should wait for a supervisor");
  return outcome as RunOutcome & { approval: NonNullable<RunOutcome["approval"]> };
}

/** A decision signed with the store's keys for `request` (run, node, request id, call hash), as `governor approve` signs one. */
export async function signedDecision(
  runtime: GovernorRuntime,
  request: ApprovalBinding,
  options: { approver?: string; decision?: "approve" | "reject"; reason?: string; now?: Date } = {},
): Promise<{ token: string }> {
  return {
    token: await signApprovalDecision(runtime.store.tokenKeys, {
      approver: options.approver ?? "supervisor:sam",
      decision: options.decision ?? "approve",
      request,
      reason: options.reason,
      now: options.now,
    }),
  };
}
