import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * ERP changes worth up to this many dollars run without a human. The rule itself lives in
 * `policies/supply-chain.cedar` (policy "large-erp-change-needs-approval"); this constant
 * mirrors it for code and prompts that quote the limit, so change both together.
 */
export const ERP_APPROVAL_THRESHOLD = 10_000;

/**
 * The supply chain's policies, in Cedar beside the workflow: who may read, draft and change
 * the ERP, which ERP changes need a manager, and which agent may hand work to which.
 * Resolved from this module's location, so it loads the same from src/ and from dist/.
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const supplyChainPolicy = DeferredCedarPolicyEngine.fromDirectory(
  new URL("../policies/", import.meta.url),
);
