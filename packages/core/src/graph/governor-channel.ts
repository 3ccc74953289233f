import type { RunBudget } from "../budget/run-budget.js";
import { emptyUsage, mergeUsage, type RunUsage, type UsageDelta } from "../budget/run-usage.js";
import type { RunStop } from "../control/run-stop.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { GatewayDecision } from "../gateway/tool-gateway.js";

/** The gate's decision on the current proposal, as the approval and action nodes read it. */
export interface GateRecord extends GatewayDecision {
  readonly node: string;
  /** The action node it decided for. */
  readonly guards: string;
  readonly tool: string;
  readonly callId: string;
  /** Drawn once when the gate decided: the approval request's id derives from it (see `approvalRequestId`). */
  readonly requestNonce?: string;
}

export interface ApprovalRecord {
  readonly node: string;
  readonly approved: boolean;
  readonly approver: string;
  readonly reason?: string;
  readonly callHash: string;
}

export interface CallOutcome {
  readonly callId: string;
  readonly tool: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
  readonly replayed?: boolean;
}

/** One tool call of an agent loop's current turn, and what each control said about it. */
export interface LoopCall {
  readonly call: ProposedCall;
  /** The agent turn (1-based) that proposed it. */
  readonly turn: number;
  /** The tool's precondition (contract, then its `check`). */
  readonly check?: { readonly ok: boolean; readonly reason?: string };
  readonly gate?: GateRecord;
  readonly approval?: ApprovalRecord;
  /** Set once the model has been answered about the call: it ran, failed, or a control refused it. */
  readonly settled?: "ran" | "failed" | "refused";
}

/** An agent loop's place in the run: turns taken (over all its visits) and the current turn's calls. */
export interface AgentLoopState {
  readonly turns: number;
  /** The current turn's calls by tool-call id, in the order the model proposed them. */
  readonly calls: Readonly<Record<string, LoopCall>>;
}

/** A node's write to one agent loop: `calls` merge field by field into the call of the same id. */
export interface AgentLoopUpdate {
  readonly turns?: number;
  /** Starts a new turn: the previous turn's calls are dropped before `calls` are merged. */
  readonly newTurn?: boolean;
  readonly calls?: Readonly<Record<string, Partial<LoopCall>>>;
}

/**
 * Governor's own slot in the graph state: the call under decision and what each control
 * said about it. It lives in the checkpoint, so a resumed run sees exactly what was decided.
 */
export interface GovernorChannel {
  readonly proposal: ProposedCall | null;
  readonly callCount: number;
  /** Each precondition's verdict, for the call it checked. */
  readonly checks: Readonly<Record<string, { ok: boolean; reason?: string; callId?: string }>>;
  readonly gate: GateRecord | null;
  readonly approval: ApprovalRecord | null;
  /** The outcome each branching node took last: conditional edges read it. */
  readonly routes: Readonly<Record<string, string>>;
  /** Each agent loop, by agent node id. */
  readonly loops: Readonly<Record<string, AgentLoopState>>;
  readonly outcomes: readonly CallOutcome[];
  /** Steps, tokens, cost and time used, and the calls proposed (execution control). */
  readonly usage: RunUsage;
  /** The run's budget as set at its start and extended by humans since; null: the compiled default. */
  readonly budget: RunBudget | null;
  /** Set when a control ended the run: the next node boundary stops it with this code. */
  readonly stop: RunStop | null;
}

/** A node's write: fields replace, except those `mergeChannel` merges; `usage` is a delta. */
export type GovernorUpdate = Partial<Omit<GovernorChannel, "usage" | "loops">> & {
  readonly usage?: UsageDelta;
  readonly loops?: Readonly<Record<string, AgentLoopUpdate>>;
};

export function emptyChannel(): GovernorChannel {
  return {
    proposal: null,
    callCount: 0,
    checks: {},
    gate: null,
    approval: null,
    routes: {},
    loops: {},
    outcomes: [],
    usage: emptyUsage(),
    budget: null,
    stop: null,
  };
}

/**
 * Fields replace, except `routes` (merged by node), `loops` (merged by agent, then by call),
 * `outcomes` (appended) and `usage` (added up).
 */
export function mergeChannel(current: GovernorChannel, update: GovernorUpdate | undefined): GovernorChannel {
  if (!update) return current;
  return {
    ...current,
    ...update,
    routes: update.routes ? { ...current.routes, ...update.routes } : current.routes,
    loops: update.loops ? mergeLoops(current.loops ?? {}, update.loops) : (current.loops ?? {}),
    outcomes: update.outcomes ? [...current.outcomes, ...update.outcomes] : current.outcomes,
    usage: update.usage ? mergeUsage(current.usage, update.usage) : current.usage,
  };
}

function mergeLoops(
  current: Readonly<Record<string, AgentLoopState>>,
  update: Readonly<Record<string, AgentLoopUpdate>>,
): Record<string, AgentLoopState> {
  const merged: Record<string, AgentLoopState> = { ...current };
  for (const [agent, change] of Object.entries(update)) {
    const before = current[agent] ?? { turns: 0, calls: {} };
    const calls: Record<string, LoopCall> = change.newTurn ? {} : { ...before.calls };
    for (const [id, fields] of Object.entries(change.calls ?? {})) {
      calls[id] = { ...calls[id], ...fields } as LoopCall;
    }
    merged[agent] = { turns: change.turns ?? before.turns, calls };
  }
  return merged;
}
