import { GovernorError } from "@governor/errors";
import { Command, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { boundaryBreach } from "../budget/budget-check.js";
import type { UsageDelta } from "../budget/run-usage.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import type { GovernorUpdate } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf, stepAudit } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { inNodeSpan } from "../tracing/node-span.js";
import type { AgentIdentity } from "../workflow/define-workflow.js";
import { delegationLapse } from "./delegation-check.js";
import { budgetOf, type ExecutionControl, usageOf } from "./execution-control.js";
import { stopError } from "./run-stop.js";
import { yieldToEventLoop } from "./yield-to-event-loop.js";

type NodeFunction = (state: GraphState, config: LangGraphRunnableConfig) => Promise<unknown>;

/**
 * Wraps a compiled node with the checks that bound every run, made before the node does
 * anything: a stop another node decided, the kill switch, the user's delegation (expired or
 * revoked), the step budget and the wall-time budget. A breach throws (KILLED,
 * IDENTITY_TOKEN_EXPIRED, IDENTITY_TOKEN_REVOKED, BUDGET_EXCEEDED, LOOP_DETECTED), so the node and
 * everything after it never run and the run ends with that code; the runtime records it
 * as the run's final state. After the node, its step and time are added to the run's usage.
 *
 * The checks run again when a node re-runs on resume, so a run killed while it waited for
 * a human stops there. Interrupts thrown by the node pass through untouched.
 */
export function guardNode(
  id: string,
  run: NodeFunction,
  services: NodeServices,
  control: ExecutionControl,
  /** The agent an agent-loop node acts as: its own kill switch stops it too. */
  nodeAgent?: AgentIdentity,
): NodeFunction {
  return stoppingAtBoundary(guardStage(id, run, services, control, nodeAgent));
}

/** What a guarded node did: stopped at its boundary (nothing ran, nothing recorded yet), or ran. */
export type StageOutcome =
  | { readonly stopped: BoundaryStop; readonly record: () => Promise<void> }
  | { readonly stopped?: undefined; readonly result: unknown };

/** A guarded node that reports a stop instead of throwing it (see `guardStage`). */
export type GuardedStage = (state: GraphState, config: LangGraphRunnableConfig) => Promise<StageOutcome>;

/**
 * The guard of `guardNode`, reporting a stop rather than recording and throwing it: a fused
 * step (see fused-decisions.ts) leaves a stopped stage to its own step, where the guard
 * records and throws it exactly as it would unfused.
 */
export function guardStage(
  id: string,
  run: NodeFunction,
  services: NodeServices,
  control: ExecutionControl,
  nodeAgent?: AgentIdentity,
): GuardedStage {
  return async (state, config) => {
    // Before the checks, so a kill switch engaged while the run waited for its turn is seen.
    const turn = yieldToEventLoop();
    if (turn) await turn;
    const scope = scopeOf(config, id, services);
    const usage = usageOf(state);
    const stop = await boundaryStop(id, state, scope, control, nodeAgent);
    if (stop) {
      const record = async () => {
        if (!stop.record) return;
        const { kind, outcome, data } = stop.record;
        await stepAudit(services, scope, config)(kind, outcome, data, `${kind}:${outcome}`);
      };
      return { stopped: stop, record };
    }

    const startedAt = control.now();
    const result = await inNodeSpan(
      {
        threadId: scope.threadId,
        node: id,
        // An agent loop's own nodes (turn, checks, gate, tools) are not workflow nodes.
        kind: services.workflow.nodes[id]?.kind ?? "agent",
        principal: scope.principal.id,
        step: config.metadata?.langgraph_step,
      },
      () => run(state, config),
    );
    const delta: UsageDelta = {
      steps: 1,
      activeMs: Math.max(0, control.now() - startedAt),
      ...(usage.startedAt === null ? { startedAt } : {}),
    };
    return { result: withUsage(result, delta) };
  };
}

/** The node of a guarded stage: a stop is recorded and thrown. */
export function stoppingAtBoundary(stage: GuardedStage): NodeFunction {
  return async (state, config) => {
    const outcome = await stage(state, config);
    if (outcome.stopped) {
      await outcome.record();
      throw outcome.stopped.error;
    }
    return outcome.result;
  };
}

/** Why a run may not enter a node, and the record the refusal leaves in the audit journal. */
export interface BoundaryStop {
  readonly error: GovernorError;
  /** Absent when another node already decided and recorded the stop. */
  readonly record?: {
    readonly kind: "kill" | "budget" | "identity";
    readonly outcome: string;
    readonly data: Record<string, unknown>;
  };
}

/**
 * What stops a run before node `id`, if anything: a stop another node decided, the kill
 * switch, the user's delegation (expired or revoked), the step budget and the wall-time
 * budget, in that order. Reads only: the guard records and throws it.
 */
async function boundaryStop(
  id: string,
  state: GraphState,
  scope: CallScope,
  control: ExecutionControl,
  nodeAgent?: AgentIdentity,
): Promise<BoundaryStop | undefined> {
  if (state.governor.stop) return { error: stopError(state.governor.stop) };
  const kill =
    (await control.killSwitch?.active(scope.principal.agentId)) ??
    (nodeAgent && nodeAgent.id !== scope.principal.agentId
      ? await control.killSwitch?.active(nodeAgent.id)
      : undefined);
  if (kill) {
    return {
      record: {
        kind: "kill",
        outcome: "stopped",
        data: { scope: kill.scope, reason: kill.reason, engagedAt: kill.at },
      },
      error: new GovernorError(
        "KILLED",
        `Run ${scope.threadId} stopped before ${id}: the ${kill.scope === "global" ? "global" : kill.scope} kill switch is engaged (${kill.reason})`,
        { node: id, scope: kill.scope, reason: kill.reason },
      ),
    };
  }
  // Checked here, at every boundary, so it also holds right before every action node.
  const lapse = await delegationLapse(scope.principal, control.now(), control.killSwitch);
  if (lapse) {
    return {
      record: { kind: "identity", outcome: "stopped", data: { code: lapse.code, ...lapse.details } },
      error: new GovernorError(lapse.code, `Run ${scope.threadId} stopped before ${id}: ${lapse.message}`, {
        node: id,
        ...lapse.details,
      }),
    };
  }
  const breach = boundaryBreach(usageOf(state), budgetOf(state, control));
  if (breach) {
    const what = breach.limit === "maxSteps" ? `${breach.used} steps` : `${breach.used} ms of running`;
    return {
      record: { kind: "budget", outcome: "exceeded", data: { ...breach } },
      error: new GovernorError(
        "BUDGET_EXCEEDED",
        `Run ${scope.threadId} stopped before ${id}: it used ${what}, its ${breach.limit} budget is ${breach.max}`,
        { node: id, ...breach },
      ),
    };
  }
  return undefined;
}

/** Adds the step's usage to the node's own write, whatever else the node wrote. */
function withUsage(result: unknown, delta: UsageDelta): unknown {
  if (result instanceof Command) return result;
  const update = (result ?? {}) as { governor?: GovernorUpdate };
  const governor = update.governor ?? {};
  const usage = governor.usage ? { ...governor.usage, ...sumDelta(governor.usage, delta) } : delta;
  return { ...update, governor: { ...governor, usage } };
}

function sumDelta(a: UsageDelta, b: UsageDelta): UsageDelta {
  return {
    steps: (a.steps ?? 0) + (b.steps ?? 0),
    activeMs: (a.activeMs ?? 0) + (b.activeMs ?? 0),
    startedAt: a.startedAt ?? b.startedAt,
  };
}
