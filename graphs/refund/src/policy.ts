import { RulePolicyEngine } from "@governor/policy";

/** Refunds up to this amount run without a human. */
export const AUTONOMOUS_REFUND_LIMIT = 500;

/**
 * The refund desk's policies. Written as in-code rules with Cedar's semantics (forbid wins,
 * nothing without a permit), so they move to a `.cedar` file unchanged in meaning.
 */
export const refundPolicy = new RulePolicyEngine([
  {
    id: "support-may-refund",
    actions: ["issue_refund"],
    effect: "permit",
    reason: "support agents may refund customers' orders",
  },
  {
    id: "refund-over-limit-needs-approval",
    actions: ["issue_refund"],
    effect: "require-approval",
    when: ({ args }) => Number(args.amount) > AUTONOMOUS_REFUND_LIMIT,
    reason: `refunds above $${AUTONOMOUS_REFUND_LIMIT} need a supervisor's approval`,
  },
  {
    id: "no-refund-to-flagged-account",
    actions: ["issue_refund"],
    effect: "forbid",
    when: ({ context }) => context.accountFlagged === true,
    reason: "refunds to a flagged account are forbidden",
  },
]);
