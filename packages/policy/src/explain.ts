import type { PolicyEngine, PolicyExplanation, PolicyRequest } from "./decision.js";

/**
 * A dry-run decision: what the engine would decide for this request, with each policy's
 * outcome and why, and nothing journaled, audited or executed. Engines that implement
 * {@link PolicyEngine.explain} (Cedar and rule engines do) explain every policy; any other
 * engine is asked `decide` and reports no per-policy outcomes.
 *
 * @example
 * ```ts
 * const { decision, policies } = await explain(refundPolicy, { principal, action: "issue_refund", args, context });
 * for (const policy of policies) console.log(policy.id, policy.outcome, policy.detail);
 * ```
 */
export async function explain(engine: PolicyEngine, request: PolicyRequest): Promise<PolicyExplanation> {
  if (engine.explain) return engine.explain(request);
  return { decision: await engine.decide(request), policies: [] };
}
