import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * Refunds up to this amount run without a human. The rule itself lives in
 * `policies/refund.cedar` (policy "refund-over-limit-needs-approval"); this constant mirrors
 * it for code and prompts that quote the limit, so change both together.
 */
export const AUTONOMOUS_REFUND_LIMIT = 500;

/**
 * The refund desk's policies, in Cedar beside the workflow: support agents holding
 * refunds:write may refund, refunds above the limit need a supervisor, and flagged accounts
 * get none. Resolved from this module's location, so it loads the same from src/ (tests)
 * and from dist/ (the built package).
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const refundPolicy = DeferredCedarPolicyEngine.fromDirectory(new URL("../policies/", import.meta.url));
