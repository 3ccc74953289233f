import { DeferredCedarPolicyEngine } from "@governor/policy";

/**
 * The mail desk's policies, in Cedar beside the workflow: mail admins may take a server
 * offline, but never when the action reaches further than the request ("proportionate-actions-only"),
 * and every destructive action waits for a human. Resolved from this module, so it loads from
 * src/ and dist/ alike.
 * Parsed and validated on first use (`compile` checks it): importing this module costs no Cedar work.
 */
export const mailboxPolicy = DeferredCedarPolicyEngine.fromDirectory(
  new URL("../policies/", import.meta.url),
);
