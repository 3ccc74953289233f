import type { GovernorError } from "@governor/errors";
import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { DEFAULT_MAX_IDENTICAL_CALLS, DEFAULT_MAX_LOOP_REFUSALS } from "../budget/run-budget.js";
import { higherRisk } from "../budget/select-model.js";
import { budgetOf, type ExecutionControl, usageOf } from "../control/execution-control.js";
import { LoopGuard } from "../control/loop-guard.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import { emit } from "../graph/events.js";
import type { AgentLoopState, GovernorUpdate, LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, stepAudit, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { stepPrompt } from "../graph/step-prompt.js";
import { stepMemoryText } from "../memory/step-memory.js";
import { primaryPicker, routeTo } from "../nodes/model-route.js";
import { unmaskToolCalls } from "../privacy/mask-messages.js";
import type { AnyTool, ToolRisk } from "../tools/define-tool.js";
import { isInheritedName } from "../workflow/check-shape.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { LOOP_ROUTES, loopNodes, loopOf, loopScope } from "./agent-loop-state.js";
import { checkHandoffEntry, type HandoffEntry } from "./handoff-entry.js";
import { handoffTarget, handoffToolName } from "./handoff-tools.js";
import { callModelWithinBudget, turnUsage } from "./model-turn.js";
import { atLeastRecorded, recordedUse } from "./recorded-use.js";

export const DEFAULT_MAX_CALLS_PER_TURN = 8;

/**
 * An agent loop's model turn. The model may answer (the loop ends on the agent's unlabeled
 * edge) or propose tool calls, several at once; each becomes its own call in the loop's
 * state, for the checks, gate and approval nodes to decide one by one.
 *
 * Refused here, each with a tool message the model sees and an audit record: a call to a
 * tool not offered to this agent (an injected instruction cannot reach other tools), calls
 * beyond `maxCallsPerTurn`, a call without an id or reusing one (its result could not be
 * told apart), a second handoff in one turn, and a call repeated too often (the loop guard).
 * Ids are rewritten to unique ones where needed so every refusal can be answered.
 *
 * The turn count is the loop's bound: once `maxTurns` turns are used the agent takes its
 * "limit" edge, or the run stops with AGENT_TURN_LIMIT. The model is never called again.
 */
export function agentTurnNode(
  id: string,
  node: AgentNode<GraphState>,
  services: NodeServices,
  control: ExecutionControl,
  hasLimitEdge: boolean,
) {
  const offered: AnyTool[] = [
    ...node.tools.map((name) => services.gateway.tool(name) as AnyTool),
    ...(node.handoffs ?? []).map((target) => services.gateway.tool(handoffToolName(target)) as AnyTool),
  ];
  const offeredNames = new Set(offered.map((tool) => tool.name));
  const maxCalls = node.maxCallsPerTurn ?? DEFAULT_MAX_CALLS_PER_TURN;
  // Declared routing picks each turn's model; otherwise the one model given answers.
  const pick = primaryPicker(id, node.models, services, offered);
  const cheap = control.cheapModel ? routeTo(control.cheapModel, "cheap", offered, id) : undefined;
  const readMemory = stepMemoryText(id, node.memory, services);

  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = loopScope(config, id, node, services);
    const audit = stepAudit(services, { ...scope }, config);
    const loop = loopOf(state, id);
    // Only what the handoff check (execution, identity) and the recorded use (model) read.
    const journal = await services.gateway.audit.find({
      threadId: scope.threadId,
      kinds: ["model", "execution", "identity"],
    });
    // A new visit (first entry, or back after a handoff or another step) hears the human input.
    const entering = state.governor.routes[id] !== LOOP_ROUTES.calls;
    const step = config.metadata?.langgraph_step;
    let handoff: ReturnType<typeof checkHandoffEntry>;
    try {
      handoff = entering ? checkHandoffEntry(services.workflow, id, state, journal, step) : undefined;
    } catch (error) {
      const { code, message } = error as GovernorError;
      await audit("identity", "refused", { code, message }, "entry-refused");
      throw error;
    }
    if (handoff)
      await audit("identity", "handoff-accepted", { from: handoff.from, step }, "handoff-accepted");
    // Bounds read the journal too: an edit of the thread's state cannot buy more turns or budget.
    const recorded = recordedUse(journal);
    const turnsTaken = Math.max(loop.turns, recorded.turns.get(id) ?? 0);
    const usage = atLeastRecorded(usageOf(state), recorded);

    if (turnsTaken >= node.maxTurns) {
      const message = `Agent ${id} used its ${node.maxTurns} turns without finishing`;
      await audit("budget", "turn-limit", { turns: turnsTaken, maxTurns: node.maxTurns }, "turn-limit");
      emit(config, { type: "turn-limit", node: id, turns: turnsTaken, maxTurns: node.maxTurns });
      const update: GovernorUpdate = hasLimitEdge
        ? { routes: { [id]: "limit", ...consumed(handoff) } }
        : {
            routes: { [id]: "done", ...consumed(handoff) },
            stop: { code: "AGENT_TURN_LIMIT", message, node: id },
          };
      return { governor: update };
    }

    // A new visit hears the human input; later turns of the same visit do not.
    const humanText = entering ? node.input?.(state) : undefined;
    // Read afresh every turn, as this agent's identity: a fact changed mid-run is current at the next turn.
    const facts = await readMemory(state, scope.principal, audit, config);
    const { added, masker, prompt } = stepPrompt(state, node.instructions, humanText, services, facts);

    const initialBudget = budgetOf(state, control);
    const turn = await callModelWithinBudget({
      id,
      scope,
      config,
      prompt,
      usage,
      budget: initialBudget,
      pick,
      // The model reasons about the results of the previous turn's calls: route on their risk.
      facts: { risk: previousTurnRisk(loop, services) },
      cheap,
      control,
      services,
      audit,
      transform: (reply) => unmaskToolCalls(reply, masker),
    });
    if (turn.kind === "stopped") {
      return { governor: { budget: turn.budget, stop: turn.stop, routes: consumed(handoff) } };
    }

    const number = turnsTaken + 1;
    const route = turn.routing;
    const reply = withUniqueCallIds(turn.reply, id, number, state.messages);
    added.push(reply.message);
    const text =
      typeof reply.message.content === "string"
        ? reply.message.content
        : JSON.stringify(reply.message.content);
    emit(config, {
      type: "model",
      node: id,
      text,
      toolCalls: (reply.message.tool_calls ?? []).map((call) => ({ tool: call.name, args: call.args })),
    });

    const guard = new LoopGuard(usage.calls, turn.budget.maxIdenticalCalls ?? DEFAULT_MAX_IDENTICAL_CALLS);
    const calls: Record<string, LoopCall> = {};
    let callCount = state.governor.callCount;
    let handoffs = 0;
    for (const [index, call] of (reply.message.tool_calls ?? []).entries()) {
      const callId = call.id as string;
      const refuse = async (reason: string, kind: "identity" | "budget", outcome: string) => {
        await services.gateway.audit.append({
          threadId: scope.threadId,
          kind,
          outcome,
          node: id,
          tool: call.name,
          principal: scope.principal.id,
          data: { callId, turn: number, args: call.args, reasons: [reason] },
          dedupeKey: `${scope.threadId}:${id}:turn${number}:${index}:refused`,
        });
        emit(config, { type: "refused-tool", node: id, tool: call.name, reason });
        added.push(toolReply({ id: callId, tool: call.name }, `Refused: ${reason}`, "error"));
      };
      const problem = reply.problems.get(index);
      if (problem) {
        await refuse(problem, "identity", "deny");
        continue;
      }
      if (!offeredNames.has(call.name)) {
        await refuse(`no tool named ${call.name} is available at this step`, "identity", "deny");
        continue;
      }
      if (Object.keys(calls).length >= maxCalls) {
        await refuse(
          `at most ${maxCalls} tool calls are decided per turn; propose the rest after these are answered`,
          "budget",
          "call-cap",
        );
        continue;
      }
      if (handoffTarget(node, call.name) !== undefined && handoffs++ > 0) {
        await refuse("only one handoff per turn: hand the conversation to one agent", "identity", "deny");
        continue;
      }
      if (!guard.admit(call.name, call.args)) {
        await refuse(
          `loop guard: this run already proposed ${call.name} with these exact arguments; change the arguments or stop`,
          "budget",
          "loop-detected",
        );
        continue;
      }
      const proposed: ProposedCall = {
        id: callId,
        tool: call.name,
        args: call.args,
        callIndex: callCount++,
        proposedBy: id,
      };
      calls[callId] = { call: proposed, turn: number };
    }

    await audit(
      "model",
      reply.message.tool_calls?.length ? "proposed" : "answered",
      {
        turn: number,
        text: text.slice(0, 2000),
        toolCalls: (reply.message.tool_calls ?? []).map((call) => ({
          id: call.id,
          tool: call.name,
          args: call.args,
        })),
        model: turn.model,
        ...(route ? { route } : {}),
        usage: { inputTokens: turn.inputTokens, outputTokens: turn.outputTokens, source: turn.source },
        costUsd: turn.costUsd,
        latencyMs: turn.latencyMs,
      },
      "model",
    );

    const refusals = usage.loopRefusals + guard.refusals;
    const maxRefusals = turn.budget.maxLoopRefusals ?? DEFAULT_MAX_LOOP_REFUSALS;
    const stop =
      guard.refusals && refusals >= maxRefusals
        ? {
            code: "LOOP_DETECTED" as const,
            message: `The model repeated the same tool call ${refusals} times; the loop guard stopped run ${scope.threadId} at ${id}`,
            node: id,
          }
        : null;
    const proposedAny = (reply.message.tool_calls ?? []).length > 0;
    const update: GovernorUpdate = {
      callCount,
      loops: { [id]: { turns: number, newTurn: true, calls } },
      routes: { [id]: proposedAny && !stop ? LOOP_ROUTES.calls : "done", ...consumed(handoff) },
      ...(turn.budget !== initialBudget ? { budget: turn.budget } : {}),
      ...(stop ? { stop } : {}),
      usage: {
        ...turnUsage(turn),
        calls: guard.added,
        loopRefusals: guard.refusals,
      },
    };
    if (stop)
      await audit("budget", "stopped", { code: stop.code, refusals, max: maxRefusals }, "loop-stopped");
    const replyUpdate = proposedAny ? {} : (node.onReply?.(state, text) ?? {});
    return { ...replyUpdate, messages: added, governor: update };
  };
}

/** The handoff's route, marked taken: a later visit by another edge is not read as this handoff. */
function consumed(handoff: HandoffEntry | undefined): Record<string, string> {
  return handoff ? { [loopNodes(handoff.from).tools]: "handed-off" } : {};
}

/**
 * The reply with every tool call carrying an id no other call in the conversation has: a
 * missing or reused id is replaced (the model's answer is stored with the new id, so the
 * refusal can answer it) and the call is refused, since a result could not be told apart.
 */
function withUniqueCallIds(
  reply: AIMessage,
  id: string,
  turn: number,
  history: readonly BaseMessage[],
): { message: AIMessage; problems: Map<number, string> } {
  const seen = new Set<string>();
  for (const message of history) {
    if (AIMessage.isInstance(message))
      for (const call of message.tool_calls ?? []) if (call.id) seen.add(call.id);
  }
  // Every id the model chose in this reply is taken too, so a fresh id never collides with one.
  const taken = new Set([...seen, ...(reply.tool_calls ?? []).flatMap((call) => (call.id ? [call.id] : []))]);
  const freshId = (index: number) => {
    let candidate = `${id}-t${turn}-${index}`;
    for (let n = 2; taken.has(candidate); n++) candidate = `${id}-t${turn}-${index}-${n}`;
    taken.add(candidate);
    return candidate;
  };
  const problems = new Map<number, string>();
  let changed = false;
  const toolCalls = (reply.tool_calls ?? []).map((call, index) => {
    const given = typeof call.id === "string" && call.id !== "" ? call.id : undefined;
    // Ids key plain objects in the loop's state: "__proto__" or "constructor" would not be a key.
    if (given !== undefined && !seen.has(given) && !isInheritedName(given)) {
      seen.add(given);
      return call;
    }
    changed = true;
    const fresh = freshId(index);
    seen.add(fresh);
    problems.set(
      index,
      given === undefined
        ? "the call has no id, so its result could not be matched to it; propose it again"
        : isInheritedName(given) && !seen.has(given)
          ? `the call id ${given} is a reserved name; propose it again`
          : `the call id ${given} is already used by another call; propose it again`,
    );
    return { ...call, id: fresh };
  });
  if (!changed) return { message: reply, problems };
  return {
    message: new AIMessage({
      content: reply.content,
      tool_calls: toolCalls,
      id: reply.id,
      response_metadata: reply.response_metadata,
      usage_metadata: reply.usage_metadata,
      additional_kwargs: reply.additional_kwargs,
    }),
    problems,
  };
}

/** The highest risk among the tools the previous turn called; undefined on a first turn. */
function previousTurnRisk(loop: AgentLoopState, services: NodeServices): ToolRisk | undefined {
  let risk: ToolRisk | undefined;
  for (const entry of Object.values(loop.calls)) {
    risk = higherRisk(risk, services.gateway.tool(entry.call.tool)?.risk);
  }
  return risk;
}
