import type { Principal } from "@governor/identity";

/** What a policy engine is asked: may this principal run this tool with these arguments now? */
export interface PolicyRequest {
  readonly principal: Principal;
  /** The tool's name: Cedar's action. */
  readonly action: string;
  /** What the call acts on, when the workflow names it (an order, a mailbox). */
  readonly resource?: { readonly type: string; readonly id: string };
  /** The arguments after the zod contract parsed them. */
  readonly args: Readonly<Record<string, unknown>>;
  /** Run facts the workflow maps in: account flags, the time, amounts already refunded. */
  readonly context: Readonly<Record<string, unknown>>;
}

export type PolicyEffect = "allow" | "deny" | "require-approval";

/** An engine's answer, naming the policies that decided it so an auditor can follow the reason. */
export interface PolicyDecision {
  readonly effect: PolicyEffect;
  readonly reasons: readonly string[];
  readonly policyIds: readonly string[];
  /** The version of the policy set that decided; approvals are bound to it. */
  readonly policyVersion: string;
}

/**
 * The hook a policy gate calls. The in-code {@link RulePolicyEngine} implements it today; the
 * Cedar engine implements the same interface, so a workflow does not change when it moves.
 */
export interface PolicyEngine {
  readonly version: string;
  decide(request: PolicyRequest): PolicyDecision | Promise<PolicyDecision>;
}
