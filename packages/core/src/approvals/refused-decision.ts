import type { AuditJournal } from "@governor/observability";

/** A decision someone tried to make (from the CLI or the console), as far as it was read before it was refused. */
export interface DecisionAttempt {
  readonly kind: "approval" | "budget";
  readonly threadId: string;
  readonly approver?: string;
  readonly requestId?: string;
  readonly callHash?: string;
  readonly decision?: string;
  readonly tool?: string;
  /** The approver's own reason (`--reason`, or typed in the form). */
  readonly reason?: string;
}

/** Which surface refused it, with the code and the reason the journal keeps. */
export interface DecisionRefusal {
  readonly via: "cli" | "console";
  readonly code: string;
  readonly reason: string;
}

/**
 * Records a refused decision in the run's audit journal: who tried, what, and why it was
 * refused. A refused decision is a decision: the journal shows the attempt beside the one that
 * counted, in the same shape whichever surface refused it.
 */
export async function auditRefusedDecision(
  audit: Pick<AuditJournal, "append">,
  attempt: DecisionAttempt,
  refusal: DecisionRefusal,
): Promise<void> {
  await audit.append({
    threadId: attempt.threadId,
    kind: attempt.kind,
    outcome: "refused",
    ...(attempt.tool ? { tool: attempt.tool } : {}),
    ...(attempt.approver ? { principal: attempt.approver } : {}),
    data: {
      via: refusal.via,
      code: refusal.code,
      reason: refusal.reason,
      approver: attempt.approver ?? null,
      requestId: attempt.requestId ?? null,
      callHash: attempt.callHash ?? null,
      decision: attempt.decision ?? null,
      approverReason: attempt.reason ?? null,
    },
  });
}
