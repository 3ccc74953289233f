import { missingScopes } from "@governor/identity";
import { answeredBy, costOf, measureUsage } from "@governor/models";
import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { askForBudget } from "../budget/ask-for-budget.js";
import { checkDailySpend } from "../budget/check-daily-spend.js";
import { spendKey, utcDay } from "../budget/daily-spend.js";
import { type CallPlan, planModelCall } from "../budget/model-routing.js";
import { DEFAULT_MAX_IDENTICAL_CALLS, DEFAULT_MAX_LOOP_REFUSALS } from "../budget/run-budget.js";
import { budgetOf, type ExecutionControl, usageOf } from "../control/execution-control.js";
import { LoopGuard } from "../control/loop-guard.js";
import { emit } from "../graph/events.js";
import type { GovernorUpdate } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf, stepAudit, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { maskMessages, unmaskToolCalls } from "../privacy/mask-messages.js";
import { PiiMasker } from "../privacy/pii-mask.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { ModelNode } from "../workflow/node-definitions.js";
import { type Invoke, type PrimaryPick, primaryPicker, routeTo } from "./model-route.js";

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

  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const usage = usageOf(state);
    const privacy = services.workflow.privacy ?? {};
    const audit = stepAudit(services, scope, config);

    const instructions =
      typeof node.instructions === "function" ? node.instructions(state) : node.instructions;
    const added: BaseMessage[] = [...closeDanglingCalls(state.messages)];
    const humanText = node.input?.(state);
    if (humanText) added.push(new HumanMessage(humanText));
    // Personal data is masked in what the model reads; state keeps the real values for tools.
    const masker = privacy.modelMaySee
      ? undefined
      : new PiiMasker(privacy, PiiMasker.sensitiveValues(state, privacy.sensitive));
    const prompt = maskMessages([new SystemMessage(instructions), ...state.messages, ...added], masker);

    const initialBudget = budgetOf(state, control);
    let budget = initialBudget;
    const daily = budget.dailyCostUsdPerPrincipal;
    const dailyKey = spendKey(scope.principal);
    const today = utcDay(control.now());
    let refusedAnswer: string | undefined;
    let plan: CallPlan<Invoke>;
    let picked: PrimaryPick | undefined;
    // Asks (and, on resume, replays the answers) until the call fits or a human stops the run.
    for (let attempt = 0; ; attempt++) {
      // Routed again after a grant: with more budget left, the rules may choose differently.
      picked = await pickPrimary({ prompt, usage, budget, contextTokens: picked?.turn?.contextTokens });
      plan = await planModelCall({
        prompt,
        usage,
        budget,
        primary: picked.primary,
        cheap,
        prices: control.prices,
        needsCost: daily !== undefined && control.spend !== undefined,
        inputTokens: picked.turn?.contextTokens,
      });
      if (daily !== undefined && control.spend) {
        checkDailySpend(control.spend.spent(dailyKey, today), plan.estimate?.costUsd ?? 0, daily, {
          node: id,
          principal: scope.principal.id,
          day: today,
          audit,
        });
      }
      if (!plan.exceeded.length) break;
      const verdict = await askForBudget({
        id,
        scope,
        attempt,
        plan,
        usage,
        budget,
        audit,
        refusedAnswer,
        approvals: services.approvals,
        now: services.gateway.now(),
      });
      if (verdict.kind === "stopped")
        return { governor: { budget, stop: verdict.stop } satisfies GovernorUpdate };
      if (verdict.kind === "extended") budget = verdict.budget;
      refusedAnswer = verdict.kind === "refused" ? verdict.reason : undefined;
    }
    if (plan.downgrade) {
      audit(
        "budget",
        "downgraded",
        {
          from: plan.downgrade.from,
          to: plan.route.name,
          fraction: plan.downgrade.fraction,
          reason: plan.downgrade.reason,
        },
        "downgraded",
      );
    }

    const turn = picked.turn;
    const route = turn && {
      model: turn.name,
      reason: turn.reason,
      ...(turn.rule !== undefined ? { rule: turn.rule } : {}),
    };
    if (route) emit(config, { type: "model-route", node: id, ...route, runs: plan.route.name });

    const reply = unmaskToolCalls(await plan.route.invoke(prompt, config), masker);
    added.push(reply);
    const measured = await measureUsage(reply, prompt);
    const modelName = answeredBy(reply) ?? plan.route.name;
    // A report budgets cannot trust (negative, NaN, a string, absurd) was replaced by the estimate.
    if (measured.anomaly) {
      audit(
        "budget",
        "usage-anomaly",
        {
          model: modelName,
          reason: measured.anomaly,
          counted: { inputTokens: measured.inputTokens, outputTokens: measured.outputTokens },
        },
        "usage-anomaly",
      );
    }
    const costUsd =
      costOf(modelName, measured, control.prices) ?? costOf(plan.route.name, measured, control.prices) ?? 0;
    if (control.spend && costUsd > 0) {
      control.spend.add({ principal: dailyKey, day: today, threadId: scope.threadId, costUsd });
    }

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
        audit(
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
      services.gateway.audit.append({
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
    audit(
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
    if (stop) audit("budget", "stopped", { code: stop.code, refusals, max: maxRefusals }, "loop-stopped");
    const update: GovernorUpdate = {
      proposal,
      callCount,
      checks: {},
      gate: null,
      approval: null,
      ...(budget !== initialBudget ? { budget } : {}),
      ...(stop ? { stop } : {}),
      usage: {
        modelCalls: 1,
        inputTokens: measured.inputTokens,
        outputTokens: measured.outputTokens,
        costUsd,
        byModel: {
          [modelName]: {
            calls: 1,
            inputTokens: measured.inputTokens,
            outputTokens: measured.outputTokens,
            costUsd,
          },
        },
        calls: loop.added,
        loopRefusals: loop.refusals,
      },
    };
    return { ...(node.onReply?.(state, text) ?? {}), messages: added, governor: update };
  };
}

/**
 * Tool calls no node answered (the workflow routed elsewhere) get a "not executed" reply
 * before the model is asked again: model APIs reject a conversation with unanswered calls,
 * and the model should know the call did not happen.
 */
function closeDanglingCalls(messages: readonly BaseMessage[]): BaseMessage[] {
  const answered = new Set(
    messages.filter((m) => m.getType() === "tool").map((m) => (m as { tool_call_id?: string }).tool_call_id),
  );
  const replies: BaseMessage[] = [];
  for (const message of messages) {
    if (!AIMessage.isInstance(message)) continue;
    for (const call of message.tool_calls ?? []) {
      if (call.id && !answered.has(call.id)) {
        replies.push(
          toolReply(
            { id: call.id, tool: call.name },
            "Not executed: the workflow did not take this call.",
            "error",
          ),
        );
      }
    }
  }
  return replies;
}
