import type { FactKey, FactRecord, FactScope } from "./fact.js";

/** The classic memory operations: what a write did to its key. */
export type MemoryOperation = "ADD" | "UPDATE" | "DELETE" | "NONE";

/**
 * What happened to one write. `applied`: the store changed (or, for NONE, rightly did not).
 * `refused`: authority forbids it outright (a suggestion against a mandate, a retraction of
 * nothing). `pending-approval`: a lower authority would overwrite a higher one; the change waits
 * for a signed approval of `approval`.
 */
export interface MemoryEvent {
  readonly event: MemoryOperation;
  readonly status: "applied" | "refused" | "pending-approval";
  readonly scope: FactScope;
  readonly key: FactKey;
  /** The record written (ADD, UPDATE) or closed (DELETE). */
  readonly record?: FactRecord;
  /** The record an UPDATE superseded, as it now stands. */
  readonly previous?: FactRecord;
  readonly reason?: string;
  readonly approval?: MemoryApprovalRequest;
  /** The audit record this event was written to. */
  readonly auditSeq?: number;
}

/**
 * A write that waits for a human. It has the fields of an `ApprovalBinding` from
 * @governor/identity, so `signApprovalDecision` signs an answer bound to exactly this change.
 */
export interface MemoryApprovalRequest {
  readonly type: "memory-approval";
  /** The thread the write came from, or `memory:<scopeKey>` outside a run. */
  readonly threadId: string;
  readonly node: string;
  readonly requestId: string;
  /** Hash of the proposed write and the record it would replace. */
  readonly callHash: string;
  readonly operation: Exclude<MemoryOperation, "NONE" | "ADD">;
  readonly proposedBy: string;
  readonly outranks: string;
  readonly summary: string;
}
