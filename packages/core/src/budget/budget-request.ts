import { z } from "zod";
import type { CallEstimate } from "./budget-check.js";
import type { BudgetLimit, RunBudget } from "./run-budget.js";

/**
 * What a budget interrupt carries: the run would overrun a limit with its next model call,
 * and a human decides whether to grant more or stop the run. The model is not called
 * until they answer.
 */
export interface BudgetRequest {
  readonly type: "budget";
  readonly threadId: string;
  readonly node: string;
  readonly principal: string;
  /** The limits the next call would overrun. */
  readonly exceeded: readonly BudgetLimit[];
  /** The model the call would use. */
  readonly model: string;
  readonly estimate: CallEstimate;
  readonly used: {
    readonly steps: number;
    readonly tokens: number;
    readonly costUsd: number;
    readonly activeMs: number;
  };
  readonly budget: RunBudget;
  /** One line for the person deciding. */
  readonly summary: string;
  /** Why the previous answer was refused, when one was. */
  readonly refusedAnswer?: string;
}

const extraSchema = z
  .object({
    tokens: z.number().int().positive().optional(),
    costUsd: z.number().positive().optional(),
    steps: z.number().int().positive().optional(),
    wallTimeMs: z.number().positive().optional(),
  })
  .strict()
  .refine((extra) => Object.values(extra).some((value) => value !== undefined), {
    message: "name at least one of tokens, costUsd, steps, wallTimeMs",
  });

/** The resume payload a budget interrupt accepts. */
export const budgetAnswerSchema = z.discriminatedUnion("decision", [
  z.object({
    decision: z.literal("extend"),
    approver: z.string().min(1, "approver must name who granted the budget"),
    extra: extraSchema,
    reason: z.string().max(2000).optional(),
  }),
  z.object({
    decision: z.literal("stop"),
    approver: z.string().min(1).optional(),
    reason: z.string().max(2000).optional(),
  }),
]);

export type BudgetAnswer = z.infer<typeof budgetAnswerSchema>;
export type BudgetExtra = Extract<BudgetAnswer, { decision: "extend" }>["extra"];

/** The budget with a human's grant added; a grant for a limit the run does not have is ignored. */
export function extendBudget(budget: RunBudget, extra: BudgetExtra): RunBudget {
  const add = (max: number | undefined, more: number | undefined) =>
    max === undefined || more === undefined ? max : max + more;
  return {
    ...budget,
    maxTokens: add(budget.maxTokens, extra.tokens),
    maxCostUsd: add(budget.maxCostUsd, extra.costUsd),
    maxSteps: add(budget.maxSteps, extra.steps),
    maxWallTimeMs: add(budget.maxWallTimeMs, extra.wallTimeMs),
  };
}
