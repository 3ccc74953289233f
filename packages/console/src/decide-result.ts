import type { ErrorCode, GovernorError, GovernorRuntime } from "@governor/core";

/** What a decision POST came to: shown once as the page's flash. */
export type DecisionResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Who asked for what, as far as it was read before the decision was refused. */
export interface DecisionAttempt {
  readonly kind: "approval" | "budget";
  readonly threadId: string;
  readonly approver?: string;
  readonly requestId?: string;
  readonly callHash?: string;
  readonly decision?: string;
  readonly tool?: string;
  /** The approver's own reason, typed in the form. */
  readonly reason?: string;
}

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
    await runtime.store.audit.append({
      threadId: attempt.threadId,
      kind: attempt.kind,
      outcome: "refused",
      ...(attempt.tool ? { tool: attempt.tool } : {}),
      ...(attempt.approver ? { principal: attempt.approver } : {}),
      data: {
        via: "console",
        code: error.code,
        reason: `console refused the decision: ${error.message}`,
        approver: attempt.approver ?? null,
        requestId: attempt.requestId ?? null,
        callHash: attempt.callHash ?? null,
        decision: attempt.decision ?? null,
        approverReason: attempt.reason ?? null,
      },
    });
  }
  return { ok: false, code: error.code, message: error.message };
}
