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
 * How one policy fared on one request:
 * - `satisfied`: it applies and its conditions hold;
 * - `not-satisfied`: it applies to the call (principal, action, resource) but a condition is false;
 * - `not-applicable`: its scope names another action, principal or resource type;
 * - `error`: a condition could not be evaluated (a missing fact, a wrong type, a throw).
 */
export type PolicyOutcome = "satisfied" | "not-satisfied" | "not-applicable" | "error";

/** One policy's part in a decision, as {@link PolicyEngine.explain} reports it. */
export interface PolicyEvaluation {
  readonly id: string;
  /** A Cedar permit with `@approval` reads as `require-approval`. */
  readonly effect: "permit" | "forbid" | "require-approval";
  readonly outcome: PolicyOutcome;
  /** Why, in words: the policy's reason when satisfied, else the failing condition or the error. */
  readonly detail: string;
}

/** A dry-run decision: the decision `decide` would return, and how every policy fared. */
export interface PolicyExplanation {
  readonly decision: PolicyDecision;
  /** Every policy of the engine, in declaration order. */
  readonly policies: readonly PolicyEvaluation[];
}

/**
 * A disagreement between a policy schema and a tool's zod contract, found before any call:
 * left alone, it would deny calls at run time (an argument the schema lacks, a fractional
 * amount the schema declares `Long`). Shaped as a workflow validation issue, so `validate()`
 * reports it as one.
 */
export interface ContractMismatch {
  readonly code: "POLICY_CONTRACT_MISMATCH";
  /** Where in the policy schema, e.g. `policy.actions.issue_refund.context.args.amount`. */
  readonly path: string;
  readonly message: string;
  readonly tool: string;
}

/** A tool as {@link PolicyEngine.checkContracts} needs it: its name and zod input schema. */
export interface ContractTool {
  readonly name: string;
  /** A zod (v4) schema; typed loosely so this package needs no zod at run time. */
  readonly input: unknown;
}

/**
 * The hook a policy gate calls. The in-code {@link RulePolicyEngine} implements it today; the
 * Cedar engine implements the same interface, so a workflow does not change when it moves.
 */
export interface PolicyEngine {
  readonly version: string;
  decide(request: PolicyRequest): PolicyDecision | Promise<PolicyDecision>;
  /**
   * The same decision without side effects, with every policy's outcome: for policy tests,
   * `governor policy test` and what-if replays. Engines without it are explained by `decide`.
   */
  explain?(request: PolicyRequest): PolicyExplanation | Promise<PolicyExplanation>;
  /**
   * Checks the engine's view of each tool's arguments (a Cedar schema's `context.args`)
   * against the tool's zod contract; `validate()` reports every mismatch before a run.
   */
  checkContracts?(tools: readonly ContractTool[]): ContractMismatch[];
}
