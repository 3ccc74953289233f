import type { AuditRecord } from "@governor/observability";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApproverDecision } from "../runtime/governor-runtime.js";

/**
 * The approvals a recorded run's approvers decided, handed out once each to the replay's
 * requests: the same step and tool, the decision whose call hash matches when one does, else
 * the next one in chain order.
 */
export class RecordedApprovals {
  /** How many recorded decisions were handed out. */
  applied = 0;
  readonly #open: AuditRecord[];

  constructor(records: readonly AuditRecord[]) {
    this.#open = records.filter(
      (record) =>
        record.kind === "approval" &&
        (record.outcome === "approved" || record.outcome === "rejected") &&
        typeof record.data.approver === "string",
    );
  }

  /** The original's decision for a request like this one, or undefined when it decided none left. */
  next(request: ApprovalRequest): ApproverDecision | undefined {
    const candidates = this.#open.filter(
      (record) => record.node === request.node && record.tool === request.tool,
    );
    const match = candidates.find((record) => record.data.callHash === request.callHash) ?? candidates[0];
    if (!match) return undefined;
    this.#open.splice(this.#open.indexOf(match), 1);
    this.applied++;
    const reason = typeof match.data.reason === "string" ? match.data.reason : undefined;
    return {
      approver: match.data.approver as string,
      decision: match.outcome === "approved" ? "approve" : "reject",
      ...(reason ? { reason } : {}),
    };
  }
}
