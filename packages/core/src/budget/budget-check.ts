import type { BudgetLimit, RunBudget } from "./run-budget.js";
import { type RunUsage, tokensOf } from "./run-usage.js";

/** What the next model call is expected to use. */
export interface CallEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Undefined when no cost budget needs it. */
  readonly costUsd?: number;
}

/** A limit found used up at a node boundary. */
export interface BoundaryBreach {
  readonly limit: BudgetLimit;
  readonly used: number;
  readonly max: number;
}

/**
 * How far the run is through its tightest budget, from 0 to 1 and beyond. Read from the
 * checkpointed usage only, so a node re-run on resume sees the same fraction and makes
 * the same downgrade decision.
 */
export function budgetFraction(usage: RunUsage, budget: RunBudget): number {
  const fractions = [
    ratio(tokensOf(usage), budget.maxTokens),
    ratio(usage.costUsd, budget.maxCostUsd),
    ratio(usage.steps, budget.maxSteps),
    ratio(usage.activeMs, budget.maxWallTimeMs),
  ];
  return Math.max(0, ...fractions.filter((value): value is number => value !== undefined));
}

/** The step or wall-time limit the run has used up, checked before a node runs. */
export function boundaryBreach(usage: RunUsage, budget: RunBudget): BoundaryBreach | undefined {
  if (budget.maxSteps !== undefined && usage.steps >= budget.maxSteps) {
    return { limit: "maxSteps", used: usage.steps, max: budget.maxSteps };
  }
  if (budget.maxWallTimeMs !== undefined && usage.activeMs >= budget.maxWallTimeMs) {
    return { limit: "maxWallTimeMs", used: usage.activeMs, max: budget.maxWallTimeMs };
  }
  return undefined;
}

/** The limits the next model call would overrun, given what it is expected to use. */
export function callBreaches(usage: RunUsage, budget: RunBudget, estimate: CallEstimate): BudgetLimit[] {
  const breaches: BudgetLimit[] = [];
  const tokens = tokensOf(usage) + estimate.inputTokens + estimate.outputTokens;
  if (budget.maxTokens !== undefined && tokens > budget.maxTokens) breaches.push("maxTokens");
  if (budget.maxCostUsd !== undefined && usage.costUsd + (estimate.costUsd ?? 0) > budget.maxCostUsd) {
    breaches.push("maxCostUsd");
  }
  return breaches;
}

/** True when model calls must be estimated before they are made. */
export function limitsModelCalls(budget: RunBudget): boolean {
  return budget.maxTokens !== undefined || budget.maxCostUsd !== undefined;
}

function ratio(used: number, max: number | undefined): number | undefined {
  return max === undefined ? undefined : used / max;
}
