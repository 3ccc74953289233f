import type { ApproverPredicate, ApproverRegistry, TokenKeys } from "@governor/identity";
import type { AuditJournal } from "@governor/observability";
import type { PolicyEngine } from "@governor/policy";
import type { ApprovalUseLedger } from "../approvals/approval-uses.js";
import type { KillSwitch } from "../control/kill-switch.js";
import type { EffectJournal } from "../gateway/effect-journal.js";
import type { RetryOptions, ToolFallback, ToolRisk } from "../tools/define-tool.js";
import type { AgentIdentity } from "../workflow/define-workflow.js";
import type { AgentToolGovernance } from "../workflow/node-definitions.js";

/**
 * What Governor must know about one LangChain tool that the tool does not say itself: the
 * scopes a caller needs and how much the call can change the world, plus (as an agent
 * node's `govern` entry) its precondition, the facts its policy reads and how an approval
 * of it is asked.
 */
export interface ToolGovernance<TState = Record<string, unknown>> extends AgentToolGovernance<TState> {
  readonly scopes: readonly string[];
  readonly risk: ToolRisk;
  /** Safe to run twice with the same arguments: only such tools are retried. */
  readonly idempotent?: boolean;
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly fallback?: ToolFallback;
}

/**
 * The stores a governed tool node writes to. `GovernorStore#graphServices()` returns all of
 * them, so `store: new GovernorStore(dir)` is enough.
 */
export interface GovernedToolStores {
  /** The hash-chained journal every decision is recorded in (and approvals are read back from). */
  readonly audit: AuditJournal;
  /** The idempotency journal: a call that ran is read back on resume, never run again. */
  readonly effects: EffectJournal;
  /** Keys that verify approvers' signed decisions; without them no call can be approved. */
  readonly tokenKeys?: TokenKeys;
  /** Remembers which signed decision was used for which call, so none is replayed on another. */
  readonly approvalUses?: ApprovalUseLedger;
  /**
   * Kill switches and revoked delegations, read at every run of the node: an engaged switch
   * for the agent (or the global one), or a lapsed delegation, stops the run before any call.
   */
  readonly killSwitch?: KillSwitch;
}

/** How a governed ToolNode (or the createAgent middleware) decides each call it receives. */
export interface GovernedToolsOptions<TState = Record<string, unknown>> extends Partial<GovernedToolStores> {
  /** Governor's facts about every tool, by tool name. A tool without an entry is refused at construction. */
  readonly govern: Readonly<Record<string, ToolGovernance<TState>>>;
  /** Cedar (`CedarPolicyEngine`) or rules (`RulePolicyEngine`): allow, deny or require-approval per call. */
  readonly policy: PolicyEngine;
  /**
   * Who the calls run as, unless `configurable.principal` names a principal that narrows it
   * (the agent acting for a user): scopes and roles never beyond this agent's.
   */
  readonly agent: AgentIdentity;
  /** The journals and keys in one: `new GovernorStore(dir)`. Fields given beside it win. */
  readonly store?: { graphServices(): GovernedToolStores };
  /** Who may answer approval requests. Without approvers every approval request stays unanswerable. */
  readonly approvers?: ApproverRegistry | ApproverPredicate;
  /** Name the node is recorded under in the audit journal and approval requests. Default: the graph node's name. */
  readonly name?: string;
  /** The most tool calls decided in one AI message; the excess is refused, audited. Default 16. */
  readonly maxCallsPerTurn?: number;
  /** The clock decisions and approvals read. Default: `Date.now`. */
  readonly now?: () => number;
}
