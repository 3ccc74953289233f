import {
  approverEntitlementProblem,
  auditRefusedDecision,
  type DecisionAttempt,
  GovernorError,
  type GovernorRuntime,
  type Workflow,
} from "@governor/core";

/** A decision tried from the command line: the CLI always knows who and what. */
export type CliDecisionAttempt = DecisionAttempt & { readonly approver: string; readonly decision: string };

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
  attempt: CliDecisionAttempt,
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
  await auditRefusedDecision(runtime.store.audit, attempt, {
    via: "cli",
    code: error.code,
    reason: `the CLI refused the decision: ${problem}`,
  });
  throw error;
}
