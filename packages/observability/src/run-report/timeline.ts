import type { PlainJson } from "../plain-json.js";
import type { RunBudgetState, RunSummary } from "./run-summary.js";
import type { RunTotals } from "./run-totals.js";

/** Where an entry came from: its audit record's place in the chain and time, and its node. */
interface EntryBase {
  readonly seq: number;
  readonly at: string;
  readonly node?: string;
}

/** The run started, waited, completed or failed (the journal's "run" records). */
export interface RunEventEntry extends EntryBase {
  readonly type: "run";
  readonly outcome: string;
  /** Why a run failed, when it did. */
  readonly error?: string;
  /** For a wait: what the run waits for (the requests' tools and ids). */
  readonly waitingFor?: readonly {
    readonly type: string;
    readonly tool?: string;
    readonly requestId?: string;
  }[];
}

/** One model call. `latencyMs` is absent on records written before latency was recorded. */
export interface ModelCallEntry extends EntryBase {
  readonly type: "model";
  /** "proposed" (it asked for tool calls) or "answered". */
  readonly outcome: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Whether the provider reported the tokens or Governor counted them. */
  readonly tokenSource?: string;
  readonly costUsd: number;
  readonly latencyMs?: number;
  /** The tools the model asked for, in order. */
  readonly toolCalls: readonly string[];
  /** What the model said (as audited: at most 2,000 characters). */
  readonly text?: string;
  /** Why the call was made when it was not a step's own turn (e.g. "memory extraction"). */
  readonly purpose?: string;
  /** The agent turn, for agent loops. */
  readonly turn?: number;
}

/** A gate's verdict on one proposed call: identity, contract, precondition or policy. */
export interface DecisionEntry extends EntryBase {
  readonly type: "decision";
  readonly control: "identity" | "contract" | "precondition" | "policy";
  /** allow, deny, require-approval, pass, fail, refused… */
  readonly outcome: string;
  readonly tool?: string;
  readonly callId?: string;
  readonly reasons: readonly string[];
  /** The Cedar policies that decided it (policy decisions only). */
  readonly policyIds: readonly string[];
  readonly policyVersion?: string;
}

/** A human approval asked for, given, refused or rejected. */
export interface ApprovalEntry extends EntryBase {
  readonly type: "approval";
  /** requested, approved, rejected, refused… */
  readonly outcome: string;
  readonly tool?: string;
  readonly callId?: string;
  readonly requestId?: string;
  readonly approver?: string;
  /** The approver's own reason, for a decision. */
  readonly reason?: string;
  /** Why approval was needed (requests) or why an answer was refused. */
  readonly reasons: readonly string[];
}

/** A tool call's execution: executed, failed, replayed from the effect journal, refused… */
export interface ToolCallEntry extends EntryBase {
  readonly type: "tool";
  readonly outcome: string;
  readonly tool?: string;
  readonly callId?: string;
  readonly idempotencyKey?: string;
  readonly attempts?: number;
  readonly result?: PlainJson;
  readonly error?: string;
}

/** A budget event (limit exceeded, extended, downgrade, loop guard…), a memory read or write, or a kill switch stop. */
export interface ControlEntry extends EntryBase {
  readonly type: "budget" | "memory" | "kill";
  readonly outcome: string;
  readonly tool?: string;
  readonly reasons: readonly string[];
  /** The record's other data, as audited (fact ids, limits, amounts…). */
  readonly details: Readonly<Record<string, PlainJson>>;
}

/** One event of a run, in the order the audit journal recorded it. */
export type TimelineEntry =
  | RunEventEntry
  | ModelCallEntry
  | DecisionEntry
  | ApprovalEntry
  | ToolCallEntry
  | ControlEntry;

/** The run's final state: its status, and for a failure why, for a wait what it waits for. */
export interface RunOutcomeSummary {
  readonly status: RunSummary["status"];
  readonly error?: string;
  readonly waitingFor?: RunEventEntry["waitingFor"];
}

/**
 * A run explained after the fact: every model call, decision, approval, tool call, budget
 * and memory event its audit journal holds, in order, with the totals and the outcome.
 * Plain data (JSON-serialisable), shared by `governor runs show` and the web console.
 */
export interface RunTimeline {
  readonly run: RunSummary;
  readonly entries: readonly TimelineEntry[];
  /**
   * The nodes that left a record, in the order they did, one per visit (a node visited
   * again after another is listed again). Nodes that decide nothing (routes, plain tasks)
   * leave no audit record and so are not here; `budget.steps` counts every node.
   */
  readonly steps: readonly string[];
  readonly totals: RunTotals;
  /** From the run's checkpoint; undefined when it could not be read. */
  readonly budget?: RunBudgetState;
  readonly outcome: RunOutcomeSummary;
}
