import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * Refunds up to this amount run without a human. The rule itself lives in
 * `policies/support.cedar` (policy "refund-over-limit-needs-approval"); this constant mirrors
 * it for code and prompts that quote the limit, so change both together.
 */
export const AUTONOMOUS_REFUND_LIMIT = 500;

/**
 * The support desk's policies, in Cedar beside the workflow: lookups run freely, refunds above
 * the limit need a supervisor, flagged accounts get none, and an order that has left the
 * warehouse is neither cancelled nor re-addressed. Resolved from this module's location, so it
 * loads the same from src/ (tests) and from dist/ (the built package).
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const supportPolicy = DeferredCedarPolicyEngine.fromDirectory(
  new URL("../policies/", import.meta.url),
);
