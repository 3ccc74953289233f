import { GovernorError } from "@governor/errors";
import { costOf, countMessageTokens, type PriceTable } from "@governor/models";
import type { BaseMessage } from "@langchain/core/messages";
import { budgetFraction, type CallEstimate, callBreaches, limitsModelCalls } from "./budget-check.js";
import { type BudgetLimit, DEFAULT_DOWNGRADE_AT, type RunBudget } from "./run-budget.js";
import type { RunUsage } from "./run-usage.js";

/** One model a model step can call, by the name it is priced under. */
export interface ModelRoute<TInvoke = unknown> {
  readonly name: string;
  readonly tier: "primary" | "cheap";
  readonly invoke: TInvoke;
}

/** Which model the next call uses, what it is expected to use, and what it would overrun. */
export interface CallPlan<TInvoke = unknown> {
  readonly route: ModelRoute<TInvoke>;
  /** Set when the cheaper model answers instead of the primary. */
  readonly downgrade?: { readonly from: string; readonly fraction: number; readonly reason: string };
  /** Present when a budget needed the call estimated. */
  readonly estimate?: CallEstimate;
  /** Limits this call would overrun: the step must ask a human before calling. */
  readonly exceeded: readonly BudgetLimit[];
}

export interface PlanInput<TInvoke> {
  readonly prompt: readonly BaseMessage[];
  readonly usage: RunUsage;
  readonly budget: RunBudget;
  readonly primary: ModelRoute<TInvoke>;
  readonly cheap?: ModelRoute<TInvoke>;
  readonly prices: PriceTable;
  /** A per-principal daily budget needs the call's cost even when the run has no cost limit. */
  readonly needsCost: boolean;
  /** The prompt's token count when routing already counted it (`routeTurn`), so it is counted once. */
  readonly inputTokens?: number;
}

/**
 * Routes a model step on budget: the primary model while the run is comfortably inside
 * its budget; the cheaper model once any limit passes `downgradeAt`, or when only the
 * cheaper model's call still fits. The estimate counts the prompt with the tokenizer and
 * expects an answer as long as the run's earlier answers on average.
 *
 * @throws {GovernorError} CONFIG_INVALID when a cost must be counted for a model the price
 *   table does not know: an unpriced model is refused, never counted as free.
 */
export async function planModelCall<TInvoke>(input: PlanInput<TInvoke>): Promise<CallPlan<TInvoke>> {
  const { budget, usage, primary, cheap } = input;
  const fraction = budgetFraction(usage, budget);
  const threshold = budget.downgradeAt ?? DEFAULT_DOWNGRADE_AT;
  const pastThreshold = fraction >= threshold;
  const downgrade = (reason: string) => ({ from: primary.name, fraction, reason });
  const thresholdReason = `the run is ${Math.round(fraction * 100)}% through its budget (downgrade at ${Math.round(threshold * 100)}%)`;

  if (!limitsModelCalls(budget) && !input.needsCost) {
    return cheap && pastThreshold
      ? { route: cheap, downgrade: downgrade(thresholdReason), exceeded: [] }
      : { route: primary, exceeded: [] };
  }
  const inputTokens = input.inputTokens ?? (await countMessageTokens(input.prompt));
  const outputTokens = usage.modelCalls ? Math.ceil(usage.outputTokens / usage.modelCalls) : 0;
  const needsPrice = budget.maxCostUsd !== undefined || input.needsCost;
  const planFor = (route: ModelRoute<TInvoke>): CallPlan<TInvoke> => {
    const estimate: CallEstimate = {
      inputTokens,
      outputTokens,
      costUsd: needsPrice ? priced(route.name, { inputTokens, outputTokens }, input.prices) : undefined,
    };
    return { route, estimate, exceeded: callBreaches(usage, budget, estimate) };
  };

  const onPrimary = planFor(primary);
  if (!cheap) return onPrimary;
  if (pastThreshold) return { ...planFor(cheap), downgrade: downgrade(thresholdReason) };
  if (onPrimary.exceeded.length) {
    // Only the cheaper model's call may still fit; if neither does, the human is asked about the cheaper one.
    return { ...planFor(cheap), downgrade: downgrade(`a call to ${primary.name} would overrun the budget`) };
  }
  return onPrimary;
}

function priced(
  model: string,
  usage: { inputTokens: number; outputTokens: number },
  prices: PriceTable,
): number {
  const cost = costOf(model, usage, prices);
  if (cost === undefined) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `No price for model "${model}": a cost budget cannot count it. Add it to the price table (the prices option of GovernorRuntime or compile)`,
      { model },
    );
  }
  return cost;
}
