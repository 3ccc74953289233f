import {
  approverEntitlementProblem,
  BUDGET_GRANT_SCOPE,
  type DecisionAttempt,
  GovernorError,
  type RunOutcome,
} from "@governor/core";
import type { BudgetForm } from "./decide-form.js";
import { type DecisionResult, refuseDecision } from "./decide-result.js";
import { PerRunSerial } from "./decide-serial.js";
import { answerWaiting, type DecideDeps, decidableRun } from "./decide-target.js";

/** Queued grants of one run, one at a time in this process (see PerRunSerial). */
const queued = new PerRunSerial();

/**
 * Answers a run waiting for budget, as `governor budget` does: a grant (more tokens, cost or
 * steps) signed with the store's keys as `approver`, who must hold budgets:extend; or stop,
 * which ends the run and needs no entitlement (stopping spends nothing), only a proved approver.
 * Refused, audited and nothing signed when the run no longer waits for this request (a second
 * click, a stale page) or the approver may not grant.
 */
export async function decideBudget(
  deps: DecideDeps,
  threadId: string,
  form: BudgetForm,
  approver: string,
): Promise<DecisionResult> {
  const attempt: DecisionAttempt = {
    kind: "budget",
    threadId,
    approver,
    requestId: form.requestId,
    decision: form.decision,
    ...(form.reason ? { reason: form.reason } : {}),
  };
  try {
    const { run, target } = await decidableRun(deps, threadId);
    const request = await deps.runtime.pendingBudget(target.workflow, threadId, target.options);
    if (!request || request.requestId !== form.requestId) {
      throw new GovernorError(
        "RUN_NOT_INTERRUPTED",
        `Budget request ${form.requestId} of run ${threadId} is no longer waiting (the run is ${run.status}${request ? `, waiting for budget request ${request.requestId}` : ""}): it was answered already, or the page is stale; nothing was signed`,
        { threadId, requestId: form.requestId, status: run.status },
      );
    }
    if (form.decision === "stop") {
      const outcome = await deps.runtime.resume(
        target.workflow,
        threadId,
        { decision: "stop", approver, ...(form.reason ? { reason: form.reason } : {}) },
        target.options,
      );
      return resultOf(outcome, `Stopped run ${threadId} as ${approver}`);
    }
    const problem = approverEntitlementProblem(target.workflow, approver, BUDGET_GRANT_SCOPE);
    if (problem) {
      throw new GovernorError("APPROVAL_INVALID", `${problem}; nothing was granted`, { approver, threadId });
    }
    const grant = { approver, extra: form.extra, ...(form.reason ? { reason: form.reason } : {}) };
    const granted = `Granted ${describeExtra(form.extra)} to run ${threadId} as ${approver}`;
    const queue = deps.queue;
    if (queue) {
      await queued.run(threadId, async () => {
        if (await answerWaiting(deps, threadId)) {
          throw new GovernorError(
            "RUN_NOT_INTERRUPTED",
            `An answer for run ${threadId} is already waiting for a worker; nothing was granted`,
            { threadId },
          );
        }
        await deps.runtime.queueBudgetGrant(target.workflow, threadId, grant, target.options);
        await queue.enqueueFromStore(deps.runtime.store.runs, threadId);
      });
      return { ok: true, message: `${granted}; a worker runs it on` };
    }
    return resultOf(
      await deps.runtime.grantBudget(target.workflow, threadId, grant, target.options),
      granted,
    );
  } catch (error) {
    // Anything else is a failure, not a refusal: whether the run moved is unknown, so it is
    // not recorded as refused; the console's error page says it failed.
    if (!(error instanceof GovernorError)) throw error;
    return refuseDecision(deps.runtime, attempt, error);
  }
}

function resultOf(outcome: RunOutcome, done: string): DecisionResult {
  // The budget node refused the signed grant (already audited there): the run still waits.
  if (outcome.status === "waiting" && outcome.budgetRequest?.refusedAnswer) {
    return {
      ok: false,
      code: "APPROVAL_INVALID",
      message: `The grant was refused: ${outcome.budgetRequest.refusedAnswer}`,
    };
  }
  if (outcome.status === "completed") return { ok: true, message: `${done}: the run completed` };
  if (outcome.status === "failed") {
    return {
      ok: true,
      message: `${done}: the run ended (${outcome.error?.code ?? "failed"}: ${outcome.error?.message ?? ""})`,
    };
  }
  return {
    ok: true,
    message: `${done}: the run is waiting again (${outcome.budgetRequest ? "for budget" : "for a decision"})`,
  };
}

function describeExtra(extra: { tokens?: number; costUsd?: number; steps?: number }): string {
  const parts = [
    ...(extra.tokens ? [`${extra.tokens} tokens`] : []),
    ...(extra.costUsd ? [`$${extra.costUsd}`] : []),
    ...(extra.steps ? [`${extra.steps} steps`] : []),
  ];
  return parts.join(", ");
}
