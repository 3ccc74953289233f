import { GovernorError } from "@governor/errors";
import { answeredBy, costOf, measureUsage, modelNameOf } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { askForBudget } from "../budget/ask-for-budget.js";
import { checkDailySpend } from "../budget/check-daily-spend.js";
import { spendKey, utcDay } from "../budget/daily-spend.js";
import { type CallPlan, type ModelRoute, planModelCall } from "../budget/model-routing.js";
import type { RunBudget } from "../budget/run-budget.js";
import type { RunUsage } from "../budget/run-usage.js";
import type { ExecutionControl } from "../control/execution-control.js";
import type { RunStop } from "../control/run-stop.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import type { NodeServices, stepAudit } from "../graph/node-scope.js";
import type { AnyTool } from "../tools/define-tool.js";

export type Invoke = (messages: BaseMessage[], config: LangGraphRunnableConfig) => Promise<AIMessage>;

/** What one model call of a step came to: the reply and what it cost, or a stop a human decided. */
export type ModelTurn =
  | { readonly kind: "stopped"; readonly budget: RunBudget; readonly stop: RunStop }
  | {
      readonly kind: "answered";
      readonly reply: AIMessage;
      readonly model: string;
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly source: string;
      readonly costUsd: number;
      /** The budget after any extension a human granted while the step waited. */
      readonly budget: RunBudget;
    };

export interface ModelTurnInput {
  readonly id: string;
  readonly scope: CallScope;
  readonly config: LangGraphRunnableConfig;
  readonly prompt: BaseMessage[];
  readonly usage: RunUsage;
  readonly budget: RunBudget;
  readonly primary: ModelRoute<Invoke>;
  readonly cheap?: ModelRoute<Invoke>;
  readonly control: ExecutionControl;
  readonly services: NodeServices;
  readonly audit: ReturnType<typeof stepAudit>;
  /** Rewrites the reply before it is measured and stored (e.g. unmasking tool arguments). */
  readonly transform?: (reply: AIMessage) => AIMessage;
}

/**
 * One model call under the run's budgets: routes on budget (the cheaper model past
 * `downgradeAt`), asks a human for more when the call would overrun (never calls over
 * budget), checks the principal's daily spend, then counts tokens and cost, adds the cost
 * to the daily ledger and audits a usage report it could not trust.
 */
export async function callModelWithinBudget(input: ModelTurnInput): Promise<ModelTurn> {
  const { id, scope, usage, audit, control, services } = input;
  let budget = input.budget;
  const daily = budget.dailyCostUsdPerPrincipal;
  const dailyKey = spendKey(scope.principal);
  const today = utcDay(control.now());
  let refusedAnswer: string | undefined;
  let plan: CallPlan<Invoke>;
  for (let attempt = 0; ; attempt++) {
    plan = await planModelCall({
      prompt: input.prompt,
      usage,
      budget,
      primary: input.primary,
      cheap: input.cheap,
      prices: control.prices,
      needsCost: daily !== undefined && control.spend !== undefined,
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
      journal: services.gateway.audit,
    });
    if (verdict.kind === "stopped") return { kind: "stopped", budget, stop: verdict.stop };
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
  const raw = await plan.route.invoke(input.prompt, input.config);
  const reply = input.transform ? input.transform(raw) : raw;
  const measured = await measureUsage(reply, input.prompt);
  const model = answeredBy(reply) ?? plan.route.name;
  // A report budgets cannot trust (negative, NaN, a string, absurd) was replaced by the estimate.
  if (measured.anomaly) {
    audit(
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
  if (control.spend && costUsd > 0) {
    control.spend.add({ principal: dailyKey, day: today, threadId: scope.threadId, costUsd });
  }
  return {
    kind: "answered",
    reply,
    model,
    inputTokens: measured.inputTokens,
    outputTokens: measured.outputTokens,
    source: measured.source,
    costUsd,
    budget,
  };
}

/** A model as a step calls it: bound to the step's tools, named as it is priced. */
export function boundRoute(
  model: BaseChatModel,
  tier: "primary" | "cheap",
  offered: readonly AnyTool[],
  id: string,
  name = modelNameOf(model),
): ModelRoute<Invoke> {
  if (!offered.length) return { name, tier, invoke: model.invoke.bind(model) as Invoke };
  if (typeof model.bindTools !== "function") {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The ${tier} model for ${id} cannot call tools (it has no bindTools)`,
    );
  }
  const bound = model.bindTools(offered.map(toolSpec));
  return { name, tier, invoke: bound.invoke.bind(bound) as Invoke };
}

/** The tool as a model API sees it: name, description and the contract as JSON Schema. */
export function toolSpec(tool: AnyTool) {
  return {
    type: "function" as const,
    function: {
      name: tool.name,
      description: tool.description,
      parameters: z.toJSONSchema(tool.input) as Record<string, unknown>,
    },
  };
}
