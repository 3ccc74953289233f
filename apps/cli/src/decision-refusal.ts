import {
  approverEntitlementProblem,
  GovernorError,
  type GovernorRuntime,
  type Workflow,
} from "@governor/core";

/** A decision someone tried to make from the command line, as far as it was read. */
export interface DecisionAttempt {
  readonly kind: "approval" | "budget";
  readonly threadId: string;
  readonly approver: string;
  readonly decision: string;
  readonly requestId?: string;
  readonly tool?: string;
  readonly callHash?: string;
  /** The approver's own reason (`--reason`). */
  readonly reason?: string;
}

/**
 * Refuses a decision the approver may not make, before anything is signed: the refusal goes
 * to the run's audit journal (who tried, what, and who may decide instead), then is thrown.
 * A refused decision is a decision: the journal shows the attempt beside the one that
 * counted, as it does for the console's. Every CLI decision (approve, reject, budget) is
 * checked here and nowhere else.
 *
 * @throws {GovernorError} APPROVAL_INVALID naming who may decide, when the approver is not
 *   an approver of the workflow or lacks the scope (`budgets:extend` for a budget grant).
 */
export async function refuseIneligibleApprover(
  runtime: GovernorRuntime,
  workflow: Workflow,
  attempt: DecisionAttempt,
  requiredScope: string | undefined,
): Promise<void> {
  // Without a registry, the workflow accepts any approver (see eligibleApprovers).
  if (!workflow.approvers) return;
  const problem = approverEntitlementProblem(workflow, attempt.approver, requiredScope);
  if (!problem) return;
  const error = new GovernorError(
    "APPROVAL_INVALID",
    `Refused: ${problem}; pass --approver ID. Nothing was signed; the refusal is in the audit journal (governor audit show ${attempt.threadId})`,
    { threadId: attempt.threadId, approver: attempt.approver, requestId: attempt.requestId },
  );
  await auditRefusal(runtime, attempt, error, problem);
  throw error;
}

async function auditRefusal(
  runtime: GovernorRuntime,
  attempt: DecisionAttempt,
  error: GovernorError,
  why: string,
): Promise<void> {
  await runtime.store.audit.append({
    threadId: attempt.threadId,
    kind: attempt.kind,
    outcome: "refused",
    ...(attempt.tool ? { tool: attempt.tool } : {}),
    principal: attempt.approver,
    data: {
      via: "cli",
      code: error.code,
      reason: `the CLI refused the decision: ${why}`,
      approver: attempt.approver,
      requestId: attempt.requestId ?? null,
      callHash: attempt.callHash ?? null,
      decision: attempt.decision,
      approverReason: attempt.reason ?? null,
    },
  });
}
