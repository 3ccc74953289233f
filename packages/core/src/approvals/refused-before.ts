import type { AuditJournal, AuditKind } from "@governor/observability";

/** Which earlier answer of a node's interrupt loop a refusal record is about. */
export interface RefusalKey {
  readonly threadId: string;
  readonly kind: AuditKind;
  readonly node: string;
  /** The request the loop asks about (a request id, a visit of a batch). */
  readonly request: string;
  /** The answer's place in the loop: LangGraph replays earlier answers in order. */
  readonly attempt: number;
}

/**
 * The reason an earlier answer was refused, when the journal records that refusal.
 *
 * LangGraph re-runs an interrupted node from its start on every resume and hands each
 * earlier `interrupt()` its earlier answer again. Verifying those answers afresh would judge
 * them at a new time: a decision refused as issued in the future (an approver's clock ahead)
 * would hold minutes later and decide in place of the answer just given. An answer refused
 * once stays refused: the loop reads the refusal back instead of verifying again.
 */
export async function refusedBefore(audit: AuditJournal, key: RefusalKey): Promise<string | undefined> {
  const refusals = await audit.find({
    threadId: key.threadId,
    kind: key.kind,
    outcome: "refused",
    node: key.node,
  });
  for (const record of refusals) {
    if (record.data.refusedRequest === key.request && record.data.attempt === key.attempt) {
      return typeof record.data.reason === "string" ? record.data.reason : "refused earlier";
    }
  }
  return undefined;
}
