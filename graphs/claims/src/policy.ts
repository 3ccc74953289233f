import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * Assessments recommending more than this wait for a claims manager. The rule lives in
 * `policies/claims.cedar` ("large-assessment-needs-manager"); change both together.
 */
export const APPROVAL_THRESHOLD = 20_000;

/**
 * The claims desk's policies, in Cedar beside the workflow: an assessor edits drafts only,
 * large recommendations need a manager, payouts are a manager's, and no agent exports
 * policyholders in bulk. Resolved from this module, so it loads from src/ and dist/ alike.
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const claimsPolicy = DeferredCedarPolicyEngine.fromDirectory(new URL("../policies/", import.meta.url));
