import type { ProposedCall } from "../gateway/proposed-call.js";

/** A precondition's verdict. */
export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A model step: the model reads the conversation and may propose one tool call. */
export interface ModelNode<TState> {
  readonly kind: "model";
  readonly description?: string;
  /** The system prompt for this step. */
  readonly instructions: string | ((state: TState) => string);
  /** A human message this step adds to the conversation (e.g. the customer's request). */
  readonly input?: (state: TState) => string | undefined;
  /** Names of the workflow's tools the model may propose here. */
  readonly tools?: readonly string[];
  /** Folds the model's text answer into the workflow's state (e.g. the reply to send). */
  readonly onReply?: (state: TState, text: string) => Partial<TState>;
}

/** A deterministic step of the author's own code: loads data, computes, never calls a tool. */
export interface TaskNode<TState> {
  readonly kind: "task";
  readonly description?: string;
  readonly run: (state: TState) => Partial<TState> | Promise<Partial<TState>>;
}

/** A check of business facts the proposed call must satisfy before policy is even asked. */
export interface PreconditionNode<TState> {
  readonly kind: "precondition";
  readonly description?: string;
  /** The action node this check guards. */
  readonly guards: string;
  /** Sees the call with arguments already parsed by the tool's contract. */
  readonly check: (input: { state: TState; call: ProposedCall }) => CheckResult | Promise<CheckResult>;
}

/** The resource a policy request acts on. */
export interface PolicyResource {
  readonly type: string;
  readonly id: string;
}

/** What a gate puts to the policy beyond the arguments: run facts and the resource acted on. */
export interface GateFacts {
  readonly context?: Record<string, unknown>;
  readonly resource?: PolicyResource;
}

/**
 * Asks the policy engine whether the proposed call may run: allow, deny or require approval.
 *
 * Facts come from the system of record, so every fact callback may be async; each is awaited.
 * Whatever a callback returns must be a plain record (after awaiting): anything else, or a
 * callback that throws, denies the call (fail closed) and the reason is audited.
 */
export interface GateNode<TState> {
  readonly kind: "gate";
  readonly description?: string;
  readonly guards: string;
  /** Run facts the policy needs beyond the arguments (account flags, totals). */
  readonly context?: (
    state: TState,
    call: ProposedCall,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  readonly resource?: (
    state: TState,
    call: ProposedCall,
  ) => PolicyResource | undefined | Promise<PolicyResource | undefined>;
  /**
   * Context and resource from one read of the system of record (one query, one snapshot),
   * in place of `context` and `resource`: declare one or the other, not both.
   */
  readonly facts?: (state: TState, call: ProposedCall) => GateFacts | Promise<GateFacts>;
  /**
   * Declares that this gate's policy checks everything the action needs, so the action
   * needs no precondition node. Explicit, with the reason, because `validate()` otherwise
   * demands a precondition on every path to an action; the gate itself is still required.
   */
  readonly sufficient?: { readonly reason: string };
}

/** Stops the run until a human approves or rejects the exact call the gate sent here. */
export interface ApprovalNode<TState> {
  readonly kind: "approval";
  readonly description?: string;
  readonly guards: string;
  /** How long the request stays answerable. Default: 24 hours. */
  readonly expiresInMs?: number;
  /**
   * The longest lifetime a signed decision may have (ms). Default one hour, and never more
   * than `expiresInMs`: a decision signed to last longer is refused.
   */
  readonly decisionLifetimeMs?: number;
  /** A scope the approver must hold (checked against the workflow's `approvers`). */
  readonly requiredScope?: string;
  /** One line for the approver. */
  readonly summary?: (state: TState, call: ProposedCall) => string;
}

/** Runs the proposed call through the gateway: the only node kind with side effects. */
export interface ActionNode<TState> {
  readonly kind: "action";
  readonly description?: string;
  readonly tool: string;
  /** Folds the tool's result into the workflow's state. */
  readonly onResult?: (state: TState, result: unknown) => Partial<TState>;
}

/** A conditional branch: `decide` names one of `branches`, each an edge label. */
export interface RouteNode<TState> {
  readonly kind: "route";
  readonly description?: string;
  readonly branches: readonly string[];
  readonly decide: (state: TState, proposal: ProposedCall | undefined) => string;
}

export type WorkflowNode<TState> =
  | ModelNode<TState>
  | TaskNode<TState>
  | PreconditionNode<TState>
  | GateNode<TState>
  | ApprovalNode<TState>
  | ActionNode<TState>
  | RouteNode<TState>;

export type NodeKind = WorkflowNode<unknown>["kind"];

/**
 * Which outgoing edges a node must have: `next` is one unlabeled edge; `required` and
 * `optional` are edge labels (`on`) naming the node's outcomes.
 */
export interface NodeOutcomes {
  readonly next: boolean;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export function outcomesOf(node: {
  readonly kind: NodeKind;
  readonly branches?: readonly string[];
}): NodeOutcomes {
  switch (node.kind) {
    case "precondition":
      return { next: false, required: ["pass", "fail"], optional: [] };
    case "gate":
      return { next: false, required: ["allow", "deny", "approval"], optional: [] };
    case "approval":
      return { next: false, required: ["approved", "rejected"], optional: [] };
    case "route":
      return { next: false, required: node.branches ?? [], optional: [] };
    case "action":
      // Success follows the unlabeled edge; a declared "failed" edge catches a handler failure,
      // an "escalated" edge a failure of a tool that escalates to a human.
      return { next: true, required: [], optional: ["failed", "escalated"] };
    default:
      return { next: true, required: [], optional: [] };
  }
}
