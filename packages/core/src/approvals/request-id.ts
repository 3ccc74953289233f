import { hashOf } from "@governor/observability";

/** What an approval request's id is derived from: the gate's record of the call it sent to approval. */
export interface RequestIdSource {
  readonly callId: string;
  readonly callHash: string;
  readonly decidedAt: number;
  /** A random value the gate drew when it decided; absent in gate records written before it existed. */
  readonly requestNonce?: string;
}

/**
 * The id of the approval request an approval node issues for the gate's decision.
 *
 * LangGraph re-runs a node from its start on every resume, so the id cannot come from the
 * clock or a fresh random value at interrupt time: it is derived from the gate's record in
 * the checkpoint (its decision time and the nonce it drew), which every re-run reads alike.
 * Each gate decision draws its own nonce, so a call proposed again in the same run is a new
 * request, and the thread and node are part of the id, so no two runs share one.
 */
export function approvalRequestId(threadId: string, node: string, gate: RequestIdSource): string {
  return `apr_${hashOf({
    threadId,
    node,
    callId: gate.callId,
    callHash: gate.callHash,
    decidedAt: gate.decidedAt,
    nonce: gate.requestNonce ?? null,
  }).slice(0, 32)}`;
}
