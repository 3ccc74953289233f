import type { ApprovalBinding } from "@governor/identity";
import { hashOf } from "@governor/observability";
import { z } from "zod";
import type { AnswerRefusal } from "../approvals/approval-request.js";
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
  /** This ask's own id: a grant must name it (see `budgetRequestId`). */
  readonly requestId: string;
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
  /** Set when the last answer decided nothing: why (as `ApprovalRequest.refusal`). */
  readonly refusal?: AnswerRefusal;
  /** @deprecated The same text as `refusal.reason`; read `refusal`. */
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

/**
 * The resume payload a budget interrupt accepts. More budget is money: a grant must be
 * signed (`runtime.grantBudget`, or `signApprovalDecision` with `request:
 * budgetGrantBinding(request, extra)`) by an approver holding `budgets:extend`. Stopping is always safe and needs no
 * signature.
 */
export const budgetAnswerSchema = z.discriminatedUnion("decision", [
  z
    .object({
      decision: z.literal("extend"),
      extra: extraSchema,
      token: z.string().min(20, "token must be a signed grant (a JWT) over the request and the extra budget"),
    })
    .strict(),
  z.object({
    decision: z.literal("stop"),
    approver: z.string().min(1).optional(),
    reason: z.string().max(2000).optional(),
  }),
]);

export type BudgetAnswer = z.infer<typeof budgetAnswerSchema>;

/** The scope an approver needs to grant a run more budget. */
export const BUDGET_GRANT_SCOPE = "budgets:extend";

/**
 * What a budget grant is signed over: this request (run, node, the limits and usage it
 * reports) and exactly this much more. A signature for another run, another moment of this
 * run, or another amount does not verify.
 */
export function budgetGrantHash(request: BudgetRequest, extra: BudgetExtra): string {
  const { threadId, node, principal, exceeded, model, estimate, used, budget } = request;
  return hashOf({
    grant: "budget",
    threadId,
    node,
    principal,
    exceeded,
    model,
    estimate,
    used,
    budget,
    extra,
  });
}
export type BudgetExtra = Extract<BudgetAnswer, { decision: "extend" }>["extra"];

/**
 * The id of one ask for budget. It cannot be drawn at random when the node asks (LangGraph
 * re-runs the node on resume and it must ask the same), so it is derived from what the
 * checkpoint fixes: the run, the node, its usage and budget at that point. Usage only grows,
 * so each ask in a run has its own id; a refused answer does not change it (the ask is the
 * same), so a bad answer from anyone cannot void a grant already signed for it.
 */
export function budgetRequestId(
  request: Omit<BudgetRequest, "requestId" | "summary" | "refusal" | "refusedAnswer" | "type">,
): string {
  const { threadId, node, principal, exceeded, model, estimate, used, budget } = request;
  return `bgt_${hashOf({ threadId, node, principal, exceeded, model, estimate, used, budget }).slice(0, 32)}`;
}

/**
 * What a signed grant of `extra` for `request` is bound to: pass it as `request` to
 * `signApprovalDecision`. The run, the node and the ask's id, and a hash over the request
 * and exactly this amount.
 */
export function budgetGrantBinding(request: BudgetRequest, extra: BudgetExtra): ApprovalBinding {
  return {
    threadId: request.threadId,
    node: request.node,
    requestId: request.requestId,
    callHash: budgetGrantHash(request, extra),
  };
}

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
