import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * The dispatch desk's policies, in Cedar beside the workflow: a dispatcher may book, and a
 * booking that does not follow the zone's current carrier mandate (read from memory at the
 * gate, never from the conversation) waits for a dispatch lead. Resolved from this module's
 * location, so it loads the same from src/ and from dist/.
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const carrierRoutingPolicy = DeferredCedarPolicyEngine.fromDirectory(
  new URL("../policies/", import.meta.url),
);
