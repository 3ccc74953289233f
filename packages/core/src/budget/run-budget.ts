import { formatIssues, GovernorError } from "@governor/errors";
import { z } from "zod";

/**
 * The limits of one run. Every field is optional; a run with none is bounded only by the
 * loop guard and the kill switch. Steps and wall time are checked at every node boundary,
 * tokens and cost before every model call, so a call that would overrun is never made.
 *
 * @example
 * defineWorkflow({ ..., budget: { maxSteps: 40, maxCostUsd: 0.5, downgradeAt: 0.8 } });
 */
export interface RunBudget {
  /** Nodes the run may execute (a node re-run on resume counts once). */
  readonly maxSteps?: number;
  /** Model tokens, input and output together, across every model call of the run. */
  readonly maxTokens?: number;
  /** US dollars of model usage, priced by the model's entry in the price table. */
  readonly maxCostUsd?: number;
  /** Time spent running nodes; time spent waiting for a human does not count. */
  readonly maxWallTimeMs?: number;
  /**
   * The fraction of any limit past which model steps use the cheaper model, when one is
   * configured. Default: 0.8.
   */
  readonly downgradeAt?: number;
  /** US dollars a principal may spend per UTC day across all its runs (persisted in the store). */
  readonly dailyCostUsdPerPrincipal?: number;
  /** How often the run may propose the same tool call with the same arguments. Default: 1. */
  readonly maxIdenticalCalls?: number;
  /** Loop-guard refusals after which the run stops with LOOP_DETECTED. Default: 3. */
  readonly maxLoopRefusals?: number;
}

/** Which limit a check found used up. */
export type BudgetLimit =
  | "maxSteps"
  | "maxTokens"
  | "maxCostUsd"
  | "maxWallTimeMs"
  | "dailyCostUsdPerPrincipal";

export const DEFAULT_DOWNGRADE_AT = 0.8;
export const DEFAULT_MAX_IDENTICAL_CALLS = 1;
export const DEFAULT_MAX_LOOP_REFUSALS = 3;

const positiveInt = z.number().int().positive();
const positive = z.number().positive();

export const runBudgetSchema = z
  .object({
    maxSteps: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
    maxCostUsd: positive.optional(),
    maxWallTimeMs: positive.optional(),
    downgradeAt: z.number().gt(0).lte(1).optional(),
    dailyCostUsdPerPrincipal: positive.optional(),
    maxIdenticalCalls: positiveInt.optional(),
    maxLoopRefusals: positiveInt.optional(),
  })
  .strict();

/**
 * Checks a budget given in a workflow, compile options or run options.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the field, e.g. `budget.maxSteps`.
 */
export function parseBudget(value: unknown, where: string): RunBudget | undefined {
  if (value === undefined) return undefined;
  const parsed = runBudgetSchema.safeParse(value);
  if (!parsed.success) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The budget of ${where} is invalid: ${formatIssues(
        parsed.error.issues.map((issue) => ({ ...issue, path: ["budget", ...issue.path] })),
      )}`,
      { where, issues: parsed.error.issues },
    );
  }
  return parsed.data;
}

/** Later budgets override earlier ones field by field (workflow, then compile options, then run). */
export function mergeBudgets(...budgets: readonly (RunBudget | undefined)[]): RunBudget | undefined {
  const defined = budgets.filter((budget): budget is RunBudget => budget !== undefined);
  if (!defined.length) return undefined;
  return Object.assign({}, ...defined.map(withoutUndefined)) as RunBudget;
}

function withoutUndefined(budget: RunBudget): RunBudget {
  return Object.fromEntries(Object.entries(budget).filter(([, value]) => value !== undefined));
}
