import { formatIssues } from "@governor/errors";
import type { AuditJournal } from "@governor/observability";
import { interrupt } from "@langchain/langgraph";
import type { ApprovalAuthority } from "../approvals/approval-authority.js";
import { type ApprovalRequest, refusalFields } from "../approvals/approval-request.js";
import { refusedBefore } from "../approvals/refused-before.js";
import type { RunStop } from "../control/run-stop.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import {
  BUDGET_GRANT_SCOPE,
  type BudgetExtra,
  type BudgetRequest,
  budgetAnswerSchema,
  budgetGrantBinding,
  budgetRequestId,
  extendBudget,
} from "./budget-request.js";
import type { CallPlan } from "./model-routing.js";
import type { RunBudget } from "./run-budget.js";
import { type RunUsage, tokensOf } from "./run-usage.js";

type Audit = (kind: "budget", outcome: string, data: Record<string, unknown>, key: string) => void;

export interface AskForBudgetInput {
  readonly id: string;
  readonly scope: CallScope;
  /** Which ask this is in the node's execution: keys its audit records, which re-runs repeat. */
  readonly attempt: number;
  readonly plan: CallPlan;
  readonly usage: RunUsage;
  readonly budget: RunBudget;
  readonly audit: Audit;
  /** Why the previous answer was refused, shown in the repeated request. */
  readonly refusedAnswer?: string;
  /** Verifies signed grants; without it no grant is accepted (stopping still is). */
  readonly approvals?: ApprovalAuthority;
  readonly now: number;
  /** The run's journal, read for answers refused before (see refusedBefore). */
  readonly journal?: AuditJournal;
}

/** A human's answer: more budget, a stop, or an answer that did not hold (ask again). */
export type BudgetVerdict =
  | { readonly kind: "extended"; readonly budget: RunBudget }
  | { readonly kind: "stopped"; readonly stop: RunStop }
  | { readonly kind: "refused"; readonly reason: string };

/**
 * Interrupts the run to ask a human for more budget before a model call that would
 * overrun it. LangGraph replays earlier answers to earlier `interrupt()` calls when the
 * node re-runs on resume, so the asks repeat deterministically and their audit records
 * are deduplicated by attempt.
 */
export async function askForBudget(input: AskForBudgetInput): Promise<BudgetVerdict> {
  const { id, scope, plan, usage, budget, attempt, audit } = input;
  const estimate = plan.estimate ?? { inputTokens: 0, outputTokens: 0 };
  const asked = {
    threadId: scope.threadId,
    node: id,
    principal: scope.principal.id,
    exceeded: plan.exceeded,
    model: plan.route.name,
    estimate,
    used: { steps: usage.steps, tokens: tokensOf(usage), costUsd: usage.costUsd, activeMs: usage.activeMs },
    budget,
  };
  const request: BudgetRequest = {
    type: "budget",
    ...asked,
    requestId: budgetRequestId(asked),
    summary: summarize(plan, usage, budget),
    // The refused answer was the previous ask's.
    ...refusalFields(input.refusedAnswer, attempt - 1),
  };
  await audit(
    "budget",
    "requested",
    {
      requestId: request.requestId,
      exceeded: plan.exceeded,
      model: plan.route.name,
      estimate,
      used: request.used,
      budget,
    },
    `ask:${attempt}`,
  );
  const answer: unknown = interrupt(request);
  // An answer refused once stays refused when LangGraph replays it (see refusedBefore).
  const earlier = input.journal
    ? await refusedBefore(input.journal, {
        threadId: scope.threadId,
        kind: "budget",
        node: id,
        request: request.requestId,
        attempt,
      })
    : undefined;
  if (earlier !== undefined) return { kind: "refused", reason: earlier };
  const parsed = budgetAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    const reason = `malformed answer: ${formatIssues(parsed.error.issues, "(answer)")}`;
    await audit(
      "budget",
      "refused",
      { reason, answer, refusedRequest: request.requestId, attempt },
      `refused:${attempt}`,
    );
    return { kind: "refused", reason };
  }
  const decided = parsed.data;
  if (decided.decision === "stop") {
    const by = decided.approver;
    const message = `Run ${scope.threadId} stopped at ${id}: its budget (${plan.exceeded.join(", ")}) is used up and ${by ?? "a human"} declined to extend it${decided.reason ? `: ${decided.reason}` : ""}`;
    await audit(
      "budget",
      "stopped",
      { by, reason: decided.reason, exceeded: plan.exceeded },
      `decided:${attempt}`,
    );
    return { kind: "stopped", stop: { code: "BUDGET_EXCEEDED", message, node: id, by } };
  }
  const grant = await verifyGrant(request, decided.extra, decided.token, input);
  if (!grant.ok) {
    await audit(
      "budget",
      "refused",
      { reason: grant.reason, extra: decided.extra, refusedRequest: request.requestId, attempt },
      `refused:${attempt}`,
    );
    return { kind: "refused", reason: grant.reason };
  }
  if (!grant.approved) {
    const message = `Run ${scope.threadId} stopped at ${id}: ${grant.approver} declined to extend its budget${grant.reason ? `: ${grant.reason}` : ""}`;
    await audit("budget", "stopped", { by: grant.approver, reason: grant.reason }, `decided:${attempt}`);
    return { kind: "stopped", stop: { code: "BUDGET_EXCEEDED", message, node: id, by: grant.approver } };
  }
  const extended = extendBudget(budget, decided.extra);
  await audit(
    "budget",
    "extended",
    {
      by: grant.approver,
      reason: grant.reason,
      extra: decided.extra,
      budget: extended,
      decisionId: grant.jti,
    },
    `decided:${attempt}`,
  );
  return { kind: "extended", budget: extended };
}

/**
 * A grant holds when an approver with budgets:extend signed this request (run, node, ask id)
 * and this amount, once, with a short-lived token (at most an hour).
 */
async function verifyGrant(
  request: BudgetRequest,
  extra: BudgetExtra,
  token: string,
  input: AskForBudgetInput,
) {
  if (!input.approvals)
    return { ok: false as const, reason: "no keys are configured to verify budget grants" };
  const grantRequest: ApprovalRequest = {
    type: "approval",
    // Bound exactly as runtime.grantBudget signs it.
    ...budgetGrantBinding(request, extra),
    tool: "budget",
    args: extra,
    principal: request.principal,
    policyVersion: "",
    reasons: [request.summary],
    policyIds: [],
    requiredScope: BUDGET_GRANT_SCOPE,
    requestedAt: new Date(input.now).toISOString(),
    // A grant's own token carries its expiry; the request itself does not lapse.
    expiresAt: new Date(8.64e15).toISOString(),
  };
  return input.approvals.verify({ token }, grantRequest, { callId: `budget:${input.attempt}` }, input.now);
}

function summarize(plan: CallPlan, usage: RunUsage, budget: RunBudget): string {
  const parts: string[] = [];
  const estimate = plan.estimate;
  if (plan.exceeded.includes("maxTokens")) {
    const next = (estimate?.inputTokens ?? 0) + (estimate?.outputTokens ?? 0);
    parts.push(`tokens: ${tokensOf(usage)} used of ${budget.maxTokens}, the next call needs ≈${next}`);
  }
  if (plan.exceeded.includes("maxCostUsd")) {
    parts.push(
      `cost: $${usage.costUsd.toFixed(6)} used of $${budget.maxCostUsd}, the next call costs ≈$${(estimate?.costUsd ?? 0).toFixed(6)}`,
    );
  }
  return `More budget needed to call ${plan.route.name}: ${parts.join("; ")}`;
}
