import { missingScopes } from "@governor/identity";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { callModelWithinBudget, turnUsage } from "../agent/model-turn.js";
import { DEFAULT_MAX_IDENTICAL_CALLS, DEFAULT_MAX_LOOP_REFUSALS } from "../budget/run-budget.js";
import { budgetOf, type ExecutionControl, usageOf } from "../control/execution-control.js";
import { LoopGuard } from "../control/loop-guard.js";
import { emit } from "../graph/events.js";
import type { GovernorUpdate } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf, stepAudit, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { stepPrompt } from "../graph/step-prompt.js";
import { stepMemoryText } from "../memory/step-memory.js";
import { unmaskToolCalls } from "../privacy/mask-messages.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { ModelNode } from "../workflow/node-definitions.js";
import { primaryPicker, routeTo } from "./model-route.js";

/**
 * A model step. The model may propose tool calls; the first call to a tool offered at this
 * step becomes the proposal the governance nodes decide. Every other call is answered at
 * once with a refusal, so nothing the model asks for is left hanging or runs unchecked.
 *
 * Before calling, the step picks its model by its declared `models` rules (context size,
 * the offered tools' risk, budget left) when it has any, then routes on budget (the cheaper
 * model past `downgradeAt`) and, when the call would overrun a limit, interrupts to ask a
 * human for more: the model is never called over budget. After it, the step counts the
 * call's tokens and cost under the name of the model that ran, and the loop guard refuses a
 * call the run has already proposed with the same arguments.
 */
export function modelNode(
  id: string,
  node: ModelNode<GraphState>,
  services: NodeServices,
  control: ExecutionControl,
) {
  const offered = (node.tools ?? []).map((name) => services.gateway.tool(name) as AnyTool);
  // Declared routing picks the primary per turn; otherwise the one model given answers.
  const pickPrimary = primaryPicker(id, node.models, services, offered);
  const cheap = control.cheapModel ? routeTo(control.cheapModel, "cheap", offered, id) : undefined;
  const offeredNames = new Set(offered.map((tool) => tool.name));
  const readMemory = stepMemoryText(id, node.memory, services);

  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const usage = usageOf(state);
    const audit = stepAudit(services, scope, config);

    // Facts are read at every call, so the model sees what is current now, never a copy in state.
    const facts = await readMemory(state, scope.principal, audit, config);
    const { added, masker, prompt } = stepPrompt(
      state,
      node.instructions,
      node.input?.(state),
      services,
      facts,
    );

    const initialBudget = budgetOf(state, control);
    const turn = await callModelWithinBudget({
      id,
      scope,
      config,
      prompt,
      usage,
      budget: initialBudget,
      pick: pickPrimary,
      cheap,
      control,
      services,
      audit,
      transform: (reply) => unmaskToolCalls(reply, masker),
    });
    if (turn.kind === "stopped") {
      return { governor: { budget: turn.budget, stop: turn.stop } satisfies GovernorUpdate };
    }
    const { reply, budget, costUsd } = turn;
    const modelName = turn.model;
    const measured = { inputTokens: turn.inputTokens, outputTokens: turn.outputTokens, source: turn.source };
    added.push(reply);
    const route = turn.routing;

    // What the model said comes first in the stream; refusals of its calls follow.
    emit(config, {
      type: "model",
      node: id,
      text: typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content),
      toolCalls: (reply.tool_calls ?? []).map((call) => ({ tool: call.name, args: call.args })),
    });
    const loop = new LoopGuard(usage.calls, budget.maxIdenticalCalls ?? DEFAULT_MAX_IDENTICAL_CALLS);
    let proposal: GovernorUpdate["proposal"] = null;
    let callCount = state.governor.callCount;
    // Audit records are keyed by the call's place in the reply as well as its id: ids come from
    // the model (or are missing), and two calls sharing one must not share one record.
    for (const [index, call] of (reply.tool_calls ?? []).entries()) {
      const id_ = call.id ?? `${id}_${callCount}`;
      // Identity first: a call to a tool outside the principal's scopes never becomes a
      // proposal, whatever policy would say, and the model is told which scope it lacks.
      const missing = offeredNames.has(call.name)
        ? missingScopes(scope.principal, services.gateway.tool(call.name)?.scopes ?? [])
        : [];
      if (!proposal && offeredNames.has(call.name) && !missing.length) {
        if (loop.admit(call.name, call.args)) {
          proposal = { id: id_, tool: call.name, args: call.args, callIndex: callCount++, proposedBy: id };
          continue;
        }
        const reason = `loop guard: this run already proposed ${call.name} with these exact arguments; change the arguments or stop`;
        await audit(
          "budget",
          "loop-detected",
          { callId: id_, tool: call.name, args: call.args, reasons: [reason] },
          `loop:${index}:${id_}`,
        );
        emit(config, { type: "refused-tool", node: id, tool: call.name, reason });
        added.push(toolReply({ id: id_, tool: call.name }, `Refused: ${reason}`, "error"));
        continue;
      }
      const reason = !offeredNames.has(call.name)
        ? `no tool named ${call.name} is available at this step`
        : missing.length
          ? `${scope.principal.id} lacks scope ${missing.join(", ")} (IDENTITY_SCOPE)`
          : "only one tool call is decided per step; propose it again after this one is done";
      await services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "identity",
        outcome: "deny",
        node: id,
        tool: call.name,
        principal: scope.principal.id,
        data: {
          callId: id_,
          args: call.args,
          reasons: [reason],
          ...(missing.length ? { missingScopes: missing } : {}),
        },
        dedupeKey: `${scope.threadId}:${id_}:${id}:identity:${index}`,
      });
      emit(config, { type: "refused-tool", node: id, tool: call.name, reason });
      added.push(toolReply({ id: id_, tool: call.name }, `Refused: ${reason}`, "error"));
    }

    const text = typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content);
    await audit(
      "model",
      proposal ? "proposed" : "answered",
      {
        text: text.slice(0, 2000),
        toolCalls: (reply.tool_calls ?? []).map((call) => ({ tool: call.name, args: call.args })),
        model: modelName,
        ...(route ? { route } : {}),
        usage: {
          inputTokens: measured.inputTokens,
          outputTokens: measured.outputTokens,
          source: measured.source,
        },
        costUsd,
        latencyMs: turn.latencyMs,
      },
      "model",
    );

    const refusals = usage.loopRefusals + loop.refusals;
    const maxRefusals = budget.maxLoopRefusals ?? DEFAULT_MAX_LOOP_REFUSALS;
    const stop =
      loop.refusals && refusals >= maxRefusals
        ? {
            code: "LOOP_DETECTED" as const,
            message: `The model repeated the same tool call ${refusals} times; the loop guard stopped run ${scope.threadId} at ${id}`,
            node: id,
          }
        : null;
    if (stop)
      await audit("budget", "stopped", { code: stop.code, refusals, max: maxRefusals }, "loop-stopped");
    const update: GovernorUpdate = {
      proposal,
      callCount,
      checks: {},
      gate: null,
      approval: null,
      ...(budget !== initialBudget ? { budget } : {}),
      ...(stop ? { stop } : {}),
      usage: {
        ...turnUsage(turn),
        calls: loop.added,
        loopRefusals: loop.refusals,
      },
    };
    return { ...(node.onReply?.(state, text) ?? {}), messages: added, governor: update };
  };
}
