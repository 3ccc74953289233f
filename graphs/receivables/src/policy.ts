import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * The receivables desk's policies, in Cedar beside the workflow: reads run freely, a disputed
 * invoice gets no notice of any kind, a final default notice needs a logged dispute check, 60
 * days overdue and a credit controller's approval. Resolved from this module's location, so it
 * loads the same from src/ (tests) and from dist/ (the built package).
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const receivablesPolicy = DeferredCedarPolicyEngine.fromDirectory(
  new URL("../policies/", import.meta.url),
);
