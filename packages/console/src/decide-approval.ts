import {
  type ApprovalRequest,
  approverEntitlementProblem,
  type DecisionAttempt,
  GovernorError,
  type RunOutcome,
} from "@governor/core";
import type { ApprovalForm } from "./decide-form.js";
import { type DecisionResult, refuseDecision } from "./decide-result.js";
import { PerRunSerial } from "./decide-serial.js";
import { answerWaiting, type DecideDeps, decidableRun } from "./decide-target.js";

/** Queued decisions of one run, one at a time in this process (see PerRunSerial). */
const queued = new PerRunSerial();

/**
 * Decides one waiting approval from the inbox, as `governor approve|reject --request ID` does:
 * signed with the store's keys as `approver`, bound to the request and its call.
 *
 * The request is read again from the run's checkpoint first, and nothing is signed when it
 * is no longer pending (a second click, another approver was faster), when the form's call
 * hash is not the pending call's (a stale page never approves a different call), when the
 * approver may not decide it, or when approving after it expired. Two decisions racing past
 * these checks still make one: the run's lease lets one resume at a time, and the second
 * finds the run no longer waiting (or its token refused by the approval-use ledger). Every
 * refusal is audited with who tried and why.
 */
export async function decideApproval(
  deps: DecideDeps,
  threadId: string,
  form: ApprovalForm,
  approver: string,
): Promise<DecisionResult> {
  let attempt: DecisionAttempt = {
    kind: "approval",
    threadId,
    approver,
    requestId: form.requestId,
    callHash: form.callHash,
    decision: form.decision,
    ...(form.reason ? { reason: form.reason } : {}),
  };
  try {
    const { run, target } = await decidableRun(deps, threadId);
    const requests = await deps.runtime.pendingApprovals(target.workflow, threadId, target.options);
    const request = requests.find((candidate) => candidate.requestId === form.requestId);
    if (!request) {
      throw new GovernorError(
        "RUN_NOT_INTERRUPTED",
        `Request ${form.requestId} of run ${threadId} is no longer waiting (the run is ${run.status}${requests.length ? `, waiting for ${requests.map((r) => r.requestId).join(", ")}` : ""}): it was decided already, or the page is stale; nothing was signed`,
        { threadId, requestId: form.requestId, status: run.status },
      );
    }
    attempt = { ...attempt, tool: request.tool };
    checkDecidable(request, form, approver, target.workflow);
    const decision = { decision: form.decision, approver, reason: form.reason, requestId: request.requestId };
    const queue = deps.queue;
    if (queue) {
      await queued.run(threadId, async () => {
        if (requests.length === 1 && (await answerWaiting(deps, threadId))) {
          throw new GovernorError(
            "RUN_NOT_INTERRUPTED",
            `A decision for run ${threadId} is already waiting for a worker; nothing was signed`,
            { threadId, requestId: request.requestId },
          );
        }
        await deps.runtime.queueDecision(target.workflow, threadId, decision, target.options);
        await queue.enqueueFromStore(deps.runtime.store.runs, threadId);
      });
      return {
        ok: true,
        message: `${verb(form.decision)} ${request.tool} as ${approver}; a worker runs ${threadId} on`,
      };
    }
    const outcome = await deps.runtime.decide(target.workflow, threadId, decision, target.options);
    return resultOf(outcome, request, form.decision, approver);
  } catch (error) {
    // Anything else is a failure, not a refusal: whether the run moved is unknown, so it is
    // not recorded as refused; the console's error page says it failed.
    if (!(error instanceof GovernorError)) throw error;
    return refuseDecision(deps.runtime, attempt, error);
  }
}

/**
 * What the form asks is checked against the pending request before anything is signed.
 *
 * @throws {GovernorError} APPROVAL_INVALID for a stale call hash, an approver who may not
 *   decide, or an approval after the request expired.
 */
function checkDecidable(
  request: ApprovalRequest,
  form: ApprovalForm,
  approver: string,
  workflow: Parameters<typeof approverEntitlementProblem>[0],
): void {
  if (request.callHash !== form.callHash) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `The page showed call ${form.callHash.slice(0, 12)}…, but request ${request.requestId} is for call ${request.callHash.slice(0, 12)}…: reload the inbox and decide what is pending now; nothing was signed`,
      { requestId: request.requestId, formCallHash: form.callHash, callHash: request.callHash },
    );
  }
  const problem = approverEntitlementProblem(workflow, approver, request.requiredScope);
  if (problem) {
    throw new GovernorError("APPROVAL_INVALID", `${problem}; nothing was signed`, {
      approver,
      requestId: request.requestId,
      requiredScope: request.requiredScope,
    });
  }
  if (form.decision === "approve" && Date.now() > Date.parse(request.expiresAt)) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `Request ${request.requestId} expired at ${request.expiresAt}: it can only be rejected now`,
      { requestId: request.requestId, expiresAt: request.expiresAt },
    );
  }
}

/** The flash for a decision the runtime took: what the run did next. */
function resultOf(
  outcome: RunOutcome,
  request: ApprovalRequest,
  decision: "approve" | "reject",
  approver: string,
): DecisionResult {
  // The approval node refused the signed decision (already audited there): the request still waits.
  const still = (outcome.approvals ?? []).find((pending) => pending.requestId === request.requestId);
  if (outcome.status === "waiting" && still?.refusedAnswer) {
    return {
      ok: false,
      code: "APPROVAL_INVALID",
      message: `The decision was refused: ${still.refusedAnswer}`,
    };
  }
  const done = `${verb(decision)} ${request.tool} as ${approver}`;
  if (outcome.status === "completed")
    return { ok: true, message: `${done}: run ${outcome.threadId} completed` };
  if (outcome.status === "failed") {
    return {
      ok: true,
      message: `${done}: run ${outcome.threadId} failed (${outcome.error?.code ?? "failed"}: ${outcome.error?.message ?? ""})`,
    };
  }
  return {
    ok: true,
    message: `${done}: run ${outcome.threadId} is waiting again (${outcome.budgetRequest ? "for budget" : "for another decision"})`,
  };
}

function verb(decision: "approve" | "reject"): string {
  return decision === "approve" ? "Approved" : "Rejected";
}
