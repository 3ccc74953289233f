import { GovernorError } from "@governor/errors";
import type { BaseMessage } from "@langchain/core/messages";
import {
  Command,
  END,
  isGraphBubbleUp,
  type LangGraphRunnableConfig,
  messagesStateReducer,
} from "@langchain/langgraph";
import { type GuardedStage, type StageOutcome, stoppingAtBoundary } from "../control/node-guard.js";
import type { WorkflowNode } from "../workflow/node-definitions.js";
import { type GovernorUpdate, mergeChannel } from "./governor-channel.js";
import type { GraphState } from "./state-annotation.js";

type NodeFunction = (state: GraphState, config: LangGraphRunnableConfig) => Promise<unknown>;

/**
 * The node kinds that only decide where a run goes: no model call, no side effect, no human.
 * A run passing through several of them in a row pays one LangGraph superstep (and one
 * checkpoint) for all of them instead of one each.
 */
const DECISION_KINDS: ReadonlySet<WorkflowNode<GraphState>["kind"]> = new Set([
  "route",
  "precondition",
  "gate",
]);

export function isDecisionKind(kind: WorkflowNode<GraphState>["kind"]): boolean {
  return DECISION_KINDS.has(kind);
}

/** One node as a stage of a fused step: its guarded code and where each of its outcomes leads. */
export interface DecisionStage {
  /**
   * The node's code behind the execution-control guard (kill switch, delegation, budgets), as
   * when it runs alone, reporting a stop at its boundary instead of throwing it.
   */
  readonly enter: GuardedStage;
  /** The node an outcome leads to (`"done"` for the unlabelled edge), or undefined when none does. */
  readonly next: (branch: string) => string | undefined;
}

/**
 * A decision node that, once decided, runs the decision nodes its outcome leads to in the
 * same superstep, until the run reaches a node that is not a decision (a model, a task, an
 * approval, an action, END) or one already decided in this step; then it goes there.
 *
 * Nothing about governance is hidden or skipped: every stage runs behind its own guard (the
 * kill switch and budgets are checked before each, and each counts as a step), writes its
 * own audit records and events, and sees the state as the stages before it left it. Its
 * writes are returned in order (`Command.update` as tuples), so the checkpoint after the
 * step holds each stage's route, check and gate exactly as separate steps would have.
 * The graph keeps every node and edge, so Studio and `governor graph` draw the same graph;
 * what changes is that a run's history shows the stages inside the first one's step.
 *
 * Why it is safe to skip the checkpoints between the stages: they decide only, so a crash
 * inside the step re-runs them from the last checkpoint, and their audit records carry
 * dedupe keys (a re-run writes no second record).
 *
 * @throws {GovernorError} CONFIG_INVALID when an outcome has no edge (as LangGraph would fail
 *   on the route), and whatever a stage or its guard throws (KILLED, BUDGET_EXCEEDED, …).
 */
export function fusedDecisions(
  head: string,
  stages: ReadonlyMap<string, DecisionStage>,
  headStage: DecisionStage = stages.get(head) as DecisionStage,
): NodeFunction {
  const runHead = stoppingAtBoundary(headStage.enter);
  return async (state, config) => {
    const task = taskOf(config);
    // Outside a LangGraph task the edges cannot tell this step from an edit: run alone.
    if (task === undefined) return runHead(state, config);
    const writes: [string, unknown][] = [];
    const decided = new Set<string>();
    let local = state;
    let id = head;
    for (;;) {
      const stage = id === head ? headStage : (stages.get(id) as DecisionStage);
      decided.add(id);
      let update: Record<string, unknown>;
      if (id === head) {
        update = ((await runHead(local, config)) ?? {}) as Record<string, unknown>;
      } else {
        // What the stages before it did is kept whatever this one does: a stage the guard
        // stops, or that fails, runs as its own step, exactly as it would unfused (where the
        // guard records the stop and throws it).
        let outcome: StageOutcome;
        try {
          outcome = await stage.enter(local, config);
        } catch (error) {
          if (isGraphBubbleUp(error)) throw error;
          return goOn(task, writes, id);
        }
        if (outcome.stopped) return goOn(task, writes, id);
        update = (outcome.result ?? {}) as Record<string, unknown>;
      }
      for (const [channel, value] of Object.entries(update)) writes.push([channel, value]);
      local = applied(local, update);
      const branch = (update.governor as GovernorUpdate | undefined)?.routes?.[id] ?? "done";
      const target = stage.next(branch);
      if (target === undefined) {
        throw new GovernorError(
          "CONFIG_INVALID",
          `Node ${id} decided "${branch}", and no edge leaves it for that outcome`,
          { node: id, branch },
        );
      }
      if (target === END || !stages.has(target) || decided.has(target)) return goOn(task, writes, target);
      id = target;
    }
  };
}

/**
 * The LangGraph tasks whose fused step chose its next node itself. The node's drawn edges
 * run after it in the same task and must then add nothing; they still route when its state
 * is written another way (Studio's "edit state as this node", `updateState(…, asNode)`).
 */
const wentOn = new Set<string>();

function taskOf(config: LangGraphRunnableConfig | undefined): string | undefined {
  const task = config?.configurable?.__pregel_task_id;
  return typeof task === "string" ? task : undefined;
}

function goOn(task: string, writes: [string, unknown][], goto: string): Command {
  wentOn.add(task);
  return new Command({ update: writes, goto });
}

/**
 * The drawn edges of a fused node: nothing after the node's own step (it went on with a
 * Command), else `route` on the state as written.
 */
export function edgesAfterFused<T>(route: (state: GraphState) => T) {
  return (state: GraphState, config?: LangGraphRunnableConfig): T | never[] => {
    const task = taskOf(config);
    if (task !== undefined && wentOn.delete(task)) return [];
    return route(state);
  };
}

/** The state a later stage sees: the update applied with the same reducers the graph uses. */
function applied(state: GraphState, update: Record<string, unknown>): GraphState {
  const next: GraphState = { ...state };
  for (const [channel, value] of Object.entries(update)) {
    if (channel === "governor") next.governor = mergeChannel(state.governor, value as GovernorUpdate);
    else if (channel === "messages")
      next.messages = messagesStateReducer(state.messages, value as BaseMessage[]) as BaseMessage[];
    else next[channel] = value;
  }
  return next;
}
