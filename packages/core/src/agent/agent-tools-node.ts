import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeExecution } from "../gateway/execution-result.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import { emit } from "../graph/events.js";
import type { CallOutcome, LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { gateFactsRequest } from "../nodes/gate-facts.js";
import { checkDecidedCall } from "../nodes/recorded-decision.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { waitingCalls } from "./agent-approval-node.js";
import {
  asGate,
  governanceOf,
  LOOP_ROUTES,
  loopNodes,
  loopOf,
  loopScope,
  openCalls,
} from "./agent-loop-state.js";
import { handoffTarget } from "./handoff-tools.js";

/**
 * An agent loop's executions: every call of the turn the gate allowed, or a human approved,
 * runs once, side by side, through the gateway (effect journal, timeout, retry, breaker,
 * fallback), and its result answers the model. Calls still waiting for a human do not hold
 * the others up: the run goes to the approval node, and comes back here for what it decides.
 *
 * Before running a call the node checks again, at run time, that it was decided: its checks
 * passed, the gate allowed it (or a person approved that very hash) under today's policy,
 * the arguments still parse to the hash decided, and the audit journal (which an edit of the
 * thread's state cannot reach) shows each of those decisions. A call that fails this is
 * refused, audited, and the model is told; it never runs.
 *
 * When every call is settled the loop goes back to the model, or, when a handoff ran, to the
 * agent it handed the run to.
 */
export function agentToolsNode(id: string, node: AgentNode<GraphState>, services: NodeServices) {
  const names = loopNodes(id);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = loopScope(config, names.tools, node, services);
    const runnable = openCalls(state, id).filter(
      (entry) =>
        entry.gate?.effect === "allow" ||
        (entry.gate?.effect === "require-approval" && entry.approval?.approved),
    );
    const results = await Promise.all(
      runnable.map((entry) => runOne(entry, state, node, names, scope, services)),
    );

    const messages: BaseMessage[] = [];
    const calls: Record<string, Partial<LoopCall>> = {};
    const outcomes: CallOutcome[] = [];
    let folded: Partial<GraphState> = {};
    for (const [index, entry] of runnable.entries()) {
      const result = results[index] as RunResult;
      emit(config, { type: "action", node: names.tools, ...result.event });
      messages.push(result.message);
      calls[entry.call.id] = { settled: result.settled };
      if (result.outcome) outcomes.push(result.outcome);
      if (result.settled === "ran") {
        const onResult = governanceOf(node, entry.call.tool).onResult;
        if (onResult)
          folded = { ...folded, ...onResult({ ...state, ...folded } as GraphState, result.outcome?.result) };
      }
    }

    // Where the loop goes: to the human while calls wait, to a handed-to agent, else back to the model.
    const stillWaiting = waitingCalls(state, id).some((entry) => !calls[entry.call.id]);
    const handedTo = stillWaiting ? undefined : handoffRan(state, id, node, calls);
    if (handedTo) emit(config, { type: "handoff", node: names.tools, from: id, to: handedTo });
    const route = stillWaiting ? "approval" : handedTo ? `handoff:${handedTo}` : LOOP_ROUTES.next;
    return {
      ...folded,
      messages,
      governor: {
        loops: { [id]: { calls } },
        outcomes,
        routes: { [names.tools]: route, ...(handedTo ? { [id]: "handoff" } : {}) },
      },
    };
  };
}

interface RunResult {
  readonly message: BaseMessage;
  readonly settled: "ran" | "failed" | "refused";
  readonly outcome?: CallOutcome;
  readonly event: { tool: string; ok: boolean; result?: unknown; error?: string; replayed?: boolean };
}

async function runOne(
  entry: LoopCall,
  state: GraphState,
  node: AgentNode<GraphState>,
  names: ReturnType<typeof loopNodes>,
  scope: CallScope,
  services: NodeServices,
): Promise<RunResult> {
  const { call } = entry;
  const decided = await undecided(entry, names, scope, services);
  if (!decided.ok) {
    const problem = decided;
    await services.gateway.audit.append({
      threadId: scope.threadId,
      kind: "execution",
      outcome: "refused",
      node: names.tools,
      tool: call.tool,
      principal: scope.principal.id,
      data: { callId: call.id, reason: problem.reason },
      dedupeKey: `${scope.threadId}:${call.id}:${names.tools}:execution-refused`,
    });
    return {
      message: toolReply(call, `Refused: ${problem.reason}. The call did not run.`, "error"),
      settled: "refused",
      event: { tool: call.tool, ok: false, error: problem.reason },
    };
  }
  const gate = asGate(governanceOf(node, call.tool), names.tools);
  // A fallback tool is put to the policy with the facts this call's gate read (read again).
  const outcome = await services.gateway.execute(call, decided.args, scope, () =>
    gateFactsRequest(names.gate, gate, state, call, { principal: scope.principal, memory: services.memory }),
  );
  const summary = describeExecution(outcome);
  if (!outcome.ok) {
    return {
      message: toolReply(call, `The call did not succeed: ${summary}.`, "error"),
      settled: "failed",
      outcome: { callId: call.id, tool: outcome.tool, ok: false, error: summary },
      event: { tool: call.tool, ok: false, error: summary, replayed: outcome.replayed },
    };
  }
  const json = JSON.stringify(outcome.result ?? null);
  return {
    message: toolReply(call, outcome.fallback ? `${summary}: ${json}` : json, "success"),
    settled: "ran",
    outcome: {
      callId: call.id,
      tool: outcome.tool,
      ok: true,
      result: outcome.result,
      replayed: outcome.replayed,
    },
    event: { tool: outcome.tool, ok: true, result: outcome.result, replayed: outcome.replayed },
  };
}

/**
 * The parsed arguments when every decision the call needs is in state and on record, else
 * why it may not run.
 */
async function undecided(
  entry: LoopCall,
  names: ReturnType<typeof loopNodes>,
  scope: CallScope,
  services: NodeServices,
): Promise<{ ok: true; args: Record<string, unknown> } | { ok: false; reason: string }> {
  const { call, gate, approval } = entry;
  if (!entry.check?.ok) return { ok: false, reason: "the call did not pass its checks" };
  if (!gate || gate.callId !== call.id || gate.tool !== call.tool) {
    return { ok: false, reason: "no gate decided this call" };
  }
  const decided = await checkDecidedCall({
    action: names.tools,
    tool: call.tool,
    preconditions: [names.checks],
    call,
    gate,
    approval,
    scope,
    gateway: services.gateway,
  });
  return decided.ok ? decided : { ok: false, reason: decided.problem };
}

/** The agent a handoff of this turn handed the run to, once it ran. */
function handoffRan(
  state: GraphState,
  id: string,
  node: AgentNode<GraphState>,
  settledNow: Readonly<Record<string, Partial<LoopCall>>>,
): string | undefined {
  for (const entry of Object.values(loopOf(state, id).calls)) {
    const settled = settledNow[entry.call.id]?.settled ?? entry.settled;
    const target = handoffTarget(node, entry.call.tool);
    if (target && settled === "ran") return target;
  }
  return undefined;
}
