import type { Principal } from "@governor/identity";
import type { MemoryStore } from "@governor/memory";
import type { ModelRoutingRules } from "../budget/model-rules.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { MemoryReadNode, MemoryWriteNode, StepMemory } from "../memory/memory-node-definitions.js";
import type { AgentIdentity } from "./define-workflow.js";

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
  /** Which of the given `models` answers (by context size, the offered tools' risk, budget left). */
  readonly models?: ModelRoutingRules;
  /** Facts from structured memory added to the system prompt (current, masked, within a token budget). */
  readonly memory?: StepMemory<TState>;
  /** Folds the model's text answer into the workflow's state (e.g. the reply to send). */
  readonly onReply?: (state: TState, text: string) => Partial<TState>;
}

/**
 * How one tool is governed inside an agent loop: what a DAG declares as precondition, gate
 * and approval nodes for an action, declared per tool because one turn may call several.
 */
export interface AgentToolGovernance<TState> {
  /** The tool's precondition, on arguments the contract already parsed (as a precondition node's `check`). */
  readonly check?: (input: { state: TState; call: ProposedCall }) => CheckResult | Promise<CheckResult>;
  /** Run facts for the policy (as a gate's `context`). */
  readonly context?: GateNode<TState>["context"];
  /** The resource acted on (as a gate's `resource`). */
  readonly resource?: GateNode<TState>["resource"];
  /** Context and resource from one read (as a gate's `facts`); not with context/resource. */
  readonly facts?: GateNode<TState>["facts"];
  /** The policy checks everything this tool needs, so it needs no `check` (as a gate's `sufficient`). */
  readonly sufficient?: { readonly reason: string };
  /** How an approval of this tool's calls is asked (as an approval node's fields). */
  readonly approval?: {
    readonly expiresInMs?: number;
    readonly decisionLifetimeMs?: number;
    readonly requiredScope?: string;
    readonly summary?: (state: TState, call: ProposedCall) => string;
  };
  /** Folds the tool's result into the workflow's state (as an action's `onResult`). */
  readonly onResult?: (state: TState, result: unknown) => Partial<TState>;
}

/**
 * A governed agent loop (ReAct): the model may propose several tool calls a turn; every
 * call passes identity, contract, its precondition, the policy gate and, when policy says
 * so, a human approval, then runs exactly once; results (and refusals, as tool errors) go
 * back to the model, which takes another turn, up to `maxTurns`. It compiles to visible
 * LangGraph nodes: `ID → ID.checks → ID.gate → ID.tools (⇄ ID.approval) → ID`.
 *
 * Outcomes: the unlabeled edge when the model answers without calling a tool; an optional
 * "limit" edge when `maxTurns` is used up (without one, the run stops with AGENT_TURN_LIMIT).
 */
export interface AgentNode<TState> {
  readonly kind: "agent";
  readonly description?: string;
  readonly instructions: string | ((state: TState) => string);
  /** A human message added on the agent's first turn of each visit (e.g. the customer's request). */
  readonly input?: (state: TState) => string | undefined;
  /** Names of the workflow's tools this agent may call. */
  readonly tools: readonly string[];
  /** The most model turns this agent takes in one run, over all its visits: the loop's bound. */
  readonly maxTurns: number;
  /** The most tool calls decided in one turn; the excess is refused, audited. Default 8. */
  readonly maxCallsPerTurn?: number;
  /**
   * Per tool: precondition, policy facts and approval settings. Every tool that is not
   * `risk: "read"` needs a `check` or `sufficient` (as every DAG action needs a precondition).
   */
  readonly govern?: Readonly<Record<string, AgentToolGovernance<TState>>>;
  /**
   * The identity this agent acts as (its own scopes), within the workflow's agent: a
   * specialist never holds what the workflow's agent does not. Default: the workflow's agent.
   */
  readonly agent?: AgentIdentity;
  /**
   * Agent nodes this agent may hand the run to. Each becomes a tool `handoff_to_<id>` that
   * the model calls and the gateway decides like any other (policy may deny it or ask a
   * human); an executed handoff ends this agent's turn and goes to that agent.
   */
  readonly handoffs?: readonly string[];
  /** Which model answers each turn (fast for lookups, strong for long context or risky tools). */
  readonly models?: ModelRoutingRules;
  /**
   * Facts from structured memory added to the system prompt of every turn, read afresh each
   * turn: a fact changed mid-run is current at the next turn. Only current facts, masked.
   */
  readonly memory?: StepMemory<TState>;
  /** Folds the model's final text answer into the workflow's state. */
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

/**
 * What a gate's fact callbacks get beside the state and the call: whose authority the run
 * exercises, and the run's structured memory. Facts belong to the system of record: a rule a
 * policy depends on (the zone's carrier mandate) is read from memory here, not from the run's
 * state, which a thread's caller can write.
 */
export interface GateFactsEnv {
  readonly principal: Principal;
  /** The store compile() was given (`graphServices().memory`); absent when none was. */
  readonly memory?: MemoryStore;
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
    env: GateFactsEnv,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  readonly resource?: (
    state: TState,
    call: ProposedCall,
    env: GateFactsEnv,
  ) => PolicyResource | undefined | Promise<PolicyResource | undefined>;
  /**
   * Context and resource from one read of the system of record (one query, one snapshot),
   * in place of `context` and `resource`: declare one or the other, not both.
   */
  readonly facts?: (state: TState, call: ProposedCall, env: GateFactsEnv) => GateFacts | Promise<GateFacts>;
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
  | AgentNode<TState>
  | TaskNode<TState>
  | PreconditionNode<TState>
  | GateNode<TState>
  | ApprovalNode<TState>
  | ActionNode<TState>
  | RouteNode<TState>
  | MemoryReadNode<TState>
  | MemoryWriteNode<TState>;

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
    case "agent":
      // Done follows the unlabeled edge; "limit" catches a loop that used up maxTurns.
      return { next: true, required: [], optional: ["limit"] };
    case "action":
      // Success follows the unlabeled edge; a declared "failed" edge catches a handler failure,
      // an "escalated" edge a failure of a tool that escalates to a human.
      return { next: true, required: [], optional: ["failed", "escalated"] };
    default:
      return { next: true, required: [], optional: [] };
  }
}
