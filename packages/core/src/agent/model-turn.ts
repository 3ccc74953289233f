import { answeredBy, costOf, measureUsage } from "@governor/models";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { askForBudget } from "../budget/ask-for-budget.js";
import { checkDailySpend } from "../budget/check-daily-spend.js";
import { spendKey, utcDay } from "../budget/daily-spend.js";
import { type CallPlan, type ModelRoute, planModelCall } from "../budget/model-routing.js";
import type { RunBudget } from "../budget/run-budget.js";
import type { RunUsage, UsageDelta } from "../budget/run-usage.js";
import type { ExecutionControl } from "../control/execution-control.js";
import type { RunStop } from "../control/run-stop.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import { emit } from "../graph/events.js";
import type { NodeServices, stepAudit } from "../graph/node-scope.js";
import type { Invoke, PrimaryPick, TurnFacts } from "../nodes/model-route.js";
import { endGeneration, failGeneration, startGeneration } from "../tracing/generation-span.js";

/** What one model call of a step came to: the reply and what it cost, or a stop a human decided. */
export type ModelTurn =
  | { readonly kind: "stopped"; readonly budget: RunBudget; readonly stop: RunStop }
  | {
      readonly kind: "answered";
      readonly reply: AIMessage;
      /** The model that answered, by the name it is priced under. */
      readonly model: string;
      /** The route that was called (its name may differ from the model's own report). */
      readonly route: string;
      /** When routing rules chose the model: which, why and by which rule (audited, streamed as "model-route"). */
      readonly routing?: { readonly model: string; readonly reason: string; readonly rule?: number };
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly source: string;
      readonly costUsd: number;
      /** Wall time of the model call itself, in milliseconds (routing, budget checks and measuring excluded). */
      readonly latencyMs: number;
      /** The budget after any extension a human granted while the step waited. */
      readonly budget: RunBudget;
    };

/** What one answered call adds to the run's usage: one call, its tokens and cost, under the model that ran. */
export function turnUsage(turn: Extract<ModelTurn, { kind: "answered" }>): UsageDelta {
  const counts = {
    inputTokens: turn.inputTokens,
    outputTokens: turn.outputTokens,
    costUsd: turn.costUsd,
  };
  return { modelCalls: 1, ...counts, byModel: { [turn.model]: { calls: 1, ...counts } } };
}

export interface ModelTurnInput {
  readonly id: string;
  readonly scope: CallScope;
  readonly config: LangGraphRunnableConfig;
  readonly prompt: BaseMessage[];
  readonly usage: RunUsage;
  readonly budget: RunBudget;
  /** Picks the primary model (by the step's routing rules, or its one model). */
  readonly pick: (facts: TurnFacts) => Promise<PrimaryPick>;
  /** Routing facts beyond the prompt, usage and budget (an agent's previous-turn risk). */
  readonly facts?: Pick<TurnFacts, "risk">;
  readonly cheap?: ModelRoute<Invoke>;
  readonly control: ExecutionControl;
  readonly services: NodeServices;
  readonly audit: ReturnType<typeof stepAudit>;
  /** Rewrites the reply before it is measured and stored (e.g. unmasking tool arguments). */
  readonly transform?: (reply: AIMessage) => AIMessage;
}

/**
 * One model call under the run's budgets, for a model step and an agent's turn alike: picks
 * the primary (routing rules, picked again after a grant: with more budget left they may
 * choose differently), routes on budget (the cheaper model past `downgradeAt`), asks a human
 * for more when the call would overrun (never calls over budget), checks the principal's
 * daily spend, then counts tokens and cost under the model that ran, adds the cost to the
 * daily ledger and audits a usage report it could not trust.
 */
export async function callModelWithinBudget(input: ModelTurnInput): Promise<ModelTurn> {
  const { id, scope, usage, audit, control, services, prompt } = input;
  let budget = input.budget;
  const daily = budget.dailyCostUsdPerPrincipal;
  const dailyKey = spendKey(scope.principal);
  const today = utcDay(control.now());
  let refusedAnswer: string | undefined;
  let plan: CallPlan<Invoke>;
  let picked: PrimaryPick | undefined;
  // Asks (and, on resume, replays the answers) until the call fits or a human stops the run.
  for (let attempt = 0; ; attempt++) {
    picked = await input.pick({
      prompt,
      usage,
      budget,
      contextTokens: picked?.turn?.contextTokens,
      ...input.facts,
    });
    plan = await planModelCall({
      prompt,
      usage,
      budget,
      primary: picked.primary,
      cheap: input.cheap,
      prices: control.prices,
      needsCost: daily !== undefined && control.spend !== undefined,
      inputTokens: picked.turn?.contextTokens,
    });
    if (daily !== undefined && control.spend) {
      await checkDailySpend(await control.spend.spent(dailyKey, today), plan.estimate?.costUsd ?? 0, daily, {
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
      journal: services.gateway.audit,
    });
    if (verdict.kind === "stopped") return { kind: "stopped", budget, stop: verdict.stop };
    if (verdict.kind === "extended") budget = verdict.budget;
    refusedAnswer = verdict.kind === "refused" ? verdict.reason : undefined;
  }
  if (plan.downgrade) {
    await audit(
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
  const privacy = services.workflow.privacy;
  const generation = startGeneration(
    { threadId: scope.threadId, node: id },
    plan.route.name,
    prompt,
    privacy,
  );
  // The estimate is reserved atomically before the call: the check above read the ledger, and
  // another worker spending for the same principal meanwhile could otherwise take the same last
  // dollar. The reservation is settled to the real cost after the call, and released if it fails.
  const reserved = daily !== undefined && control.spend ? (plan.estimate?.costUsd ?? 0) : 0;
  if (daily !== undefined && control.spend) {
    const entry = { principal: dailyKey, day: today, threadId: scope.threadId, costUsd: reserved };
    const reservation = await control.spend.reserve(entry, daily);
    if (!reservation.ok) {
      await checkDailySpend(reservation.spent, reserved, daily, {
        node: id,
        principal: scope.principal.id,
        day: today,
        audit,
      });
    }
  }
  const calledAt = performance.now();
  let raw: AIMessage;
  try {
    raw = await plan.route.invoke(prompt, input.config);
  } catch (error) {
    failGeneration(generation, error);
    if (reserved > 0 && control.spend)
      await control.spend.add({
        principal: dailyKey,
        day: today,
        threadId: scope.threadId,
        costUsd: -reserved,
      });
    throw error;
  }
  const latencyMs = Math.round(performance.now() - calledAt);
  const reply = input.transform ? input.transform(raw) : raw;
  const measured = await measureUsage(reply, prompt);
  const model = answeredBy(reply) ?? plan.route.name;
  // A report budgets cannot trust (negative, NaN, a string, absurd) was replaced by the estimate.
  if (measured.anomaly) {
    await audit(
      "budget",
      "usage-anomaly",
      {
        model,
        reason: measured.anomaly,
        counted: { inputTokens: measured.inputTokens, outputTokens: measured.outputTokens },
      },
      "usage-anomaly",
    );
  }
  const costUsd =
    costOf(model, measured, control.prices) ?? costOf(plan.route.name, measured, control.prices) ?? 0;
  if (control.spend && costUsd - reserved !== 0) {
    await control.spend.add({
      principal: dailyKey,
      day: today,
      threadId: scope.threadId,
      costUsd: costUsd - reserved,
    });
  }
  const routed = picked.turn;
  const routing = routed && {
    model: routed.name,
    reason: routed.reason,
    ...(routed.rule !== undefined ? { rule: routed.rule } : {}),
  };
  endGeneration(generation, { model, ...measured, costUsd, reply }, privacy);
  if (routing) emit(input.config, { type: "model-route", node: id, ...routing, runs: plan.route.name });
  return {
    kind: "answered",
    reply,
    model,
    route: plan.route.name,
    ...(routing ? { routing } : {}),
    inputTokens: measured.inputTokens,
    outputTokens: measured.outputTokens,
    source: measured.source,
    costUsd,
    latencyMs,
    budget,
  };
}
