import {
  auditRefusedDecision,
  type DecisionAttempt,
  type ErrorCode,
  type GovernorError,
  type GovernorRuntime,
} from "@governor/core";

/** What a decision POST came to: shown once as the page's flash. */
export type DecisionResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/**
 * Refuses a decision: nothing is signed, and the refusal goes to the run's audit journal
 * with who tried, what and why, so a second click or a stale page leaves a trace beside the
 * decision that did count. Threads the store does not hold are not written (a form naming
 * a made-up thread would otherwise add threads to the journal).
 */
export async function refuseDecision(
  runtime: GovernorRuntime,
  attempt: DecisionAttempt,
  error: GovernorError,
): Promise<DecisionResult> {
  if (await runtime.store.runs.get(attempt.threadId)) {
    await auditRefusedDecision(runtime.store.audit, attempt, {
      via: "console",
      code: error.code,
      reason: `console refused the decision: ${error.message}`,
    });
  }
  return { ok: false, code: error.code, message: error.message };
}
