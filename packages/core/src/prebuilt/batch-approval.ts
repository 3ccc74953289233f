import type { AuditJournal } from "@governor/observability";
import { interrupt } from "@langchain/langgraph";
import type { ApprovalAuthority } from "../approvals/approval-authority.js";
import type { ApprovalBatch } from "../approvals/approval-batch.js";
import { verifyBatchAnswer } from "../approvals/approval-batch.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalRequestId } from "../approvals/request-id.js";
import type { CallScope, GatewayDecision } from "../gateway/tool-gateway.js";
import type { ToolGovernance } from "./governed-tools-options.js";
import type { TurnCall } from "./turn-calls.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** A call the policy sent to a human, and the request that asks for it. */
export interface AwaitingCall {
  readonly call: TurnCall;
  readonly decision: GatewayDecision;
  readonly request: ApprovalRequest;
}

/** What a human decided about one request. */
export interface HumanDecision {
  readonly approved: boolean;
  readonly approver: string;
  readonly reason?: string;
}

/**
 * The approval request for a call: bound to its call hash, under an id every re-run of the
 * node derives alike.
 *
 * LangGraph re-runs a node from its start on every resume, so nothing here may come from the
 * clock or a fresh random value. The request's time is that of its "requested" audit record:
 * the journal keeps the first record for a dedupe key and returns it on every later append.
 * The nonce is the id of the AI message that proposed the call: assigned once when the
 * message entered the state (by the provider, or by LangGraph's messages reducer) and read
 * back from the checkpoint on every re-run, and unique to the turn, so the same call proposed
 * again in a later turn is a new request. The thread and node are part of the id too, so no
 * other run or node shares it, and the call hash is, so a new policy version is a new request.
 */
export function approvalRequestFor(
  scope: CallScope,
  call: TurnCall,
  turnId: string,
  decision: GatewayDecision,
  governance: ToolGovernance<unknown> | undefined,
  audit: AuditJournal,
  summary: string | undefined,
): ApprovalRequest {
  const settings = governance?.approval;
  const ttl = settings?.expiresInMs ?? DAY_MS;
  const requested = audit.append({
    threadId: scope.threadId,
    kind: "approval",
    outcome: "requested",
    node: scope.node,
    tool: call.toolCall.name,
    principal: scope.principal.id,
    data: {
      callId: call.callId,
      callHash: decision.callHash,
      args: decision.args,
      reasons: decision.reasons,
    },
    dedupeKey: `${scope.threadId}:${call.callId}:${scope.node}:approval:requested:${decision.callHash}`,
  });
  const requestedAt = Date.parse(requested.at);
  return {
    type: "approval",
    threadId: scope.threadId,
    node: scope.node,
    requestId: approvalRequestId(scope.threadId, scope.node, {
      callId: call.callId,
      callHash: decision.callHash,
      decidedAt: requestedAt,
      requestNonce: turnId,
    }),
    tool: call.toolCall.name,
    args: decision.args,
    principal: scope.principal.id,
    callHash: decision.callHash,
    policyVersion: decision.policyVersion,
    reasons: decision.reasons,
    policyIds: decision.policyIds,
    requiredScope: settings?.requiredScope,
    summary,
    requestedAt: new Date(requestedAt).toISOString(),
    expiresAt: new Date(requestedAt + ttl).toISOString(),
    decisionLifetimeMs: Math.min(settings?.decisionLifetimeMs ?? HOUR_MS, ttl),
  };
}

export interface ApprovalRoundInput {
  readonly scope: CallScope;
  readonly awaiting: readonly AwaitingCall[];
  readonly authority: ApprovalAuthority;
  readonly audit: AuditJournal;
  readonly now: () => number;
  /** Runs the calls a human approved; called before every interrupt, so an approval never waits for its siblings. */
  readonly settle: (decided: ReadonlyMap<string, HumanDecision>) => Promise<void>;
}

/**
 * Asks humans for every awaiting call in ONE interrupt (an `ApprovalBatch`), and returns each
 * request's decision once all are decided.
 *
 * Each answer (`{ token }` or `{ tokens }`) decides only the requests its signed decisions
 * name; approved calls are settled (run) at once, before the node interrupts again for the
 * rest. A decision is recorded in the audit journal when it is first verified, and on every
 * later re-run of the node it is read back from there rather than verified again: a signed
 * decision lives minutes, a batch can take hours to answer, and an approval that already ran
 * its call must not turn into "pending" because its token has since expired. Answers that
 * decide nothing (forged, for another call, for another run) are audited and refused, and the
 * node interrupts again with the reason.
 */
export async function approvalRound(input: ApprovalRoundInput): Promise<ReadonlyMap<string, HumanDecision>> {
  const { scope, awaiting, authority, audit } = input;
  const decided = recordedDecisions(audit, scope, awaiting);
  let refusedAnswer: string | undefined;
  for (let attempt = 0; ; attempt++) {
    await input.settle(decided);
    const pending = awaiting.filter((entry) => !decided.has(entry.request.requestId));
    if (!pending.length) return decided;
    const batch: ApprovalBatch = {
      type: "approvals",
      threadId: scope.threadId,
      node: scope.node,
      requests: pending.map((entry) => entry.request),
      ...(refusedAnswer ? { refusedAnswer } : {}),
    };
    const answer: unknown = interrupt(batch);
    const verdict = await verifyBatchAnswer(
      authority,
      answer,
      pending.map((entry) => ({ request: entry.request, callId: entry.call.callId })),
      input.now(),
    );
    for (const decision of verdict.decided) {
      const entry = pending.find((candidate) => candidate.request.requestId === decision.requestId);
      if (!entry) continue;
      decided.set(decision.requestId, decision);
      audit.append({
        threadId: scope.threadId,
        kind: "approval",
        outcome: decision.approved ? "approved" : "rejected",
        node: scope.node,
        tool: entry.call.toolCall.name,
        principal: scope.principal.id,
        data: {
          callId: entry.call.callId,
          callHash: entry.request.callHash,
          requestId: decision.requestId,
          approver: decision.approver,
          reason: decision.reason,
          decisionId: decision.jti,
        },
        dedupeKey: `${scope.threadId}:${entry.call.callId}:${scope.node}:approval:decided:${decision.requestId}`,
      });
    }
    // A token for a request decided earlier is the replay of an answer already taken: not a refusal.
    const refused = verdict.refused.filter(
      (refusal) => refusal.requestId === undefined || !decided.has(refusal.requestId),
    );
    refusedAnswer = refused.length ? refused.map((refusal) => refusal.reason).join("; ") : undefined;
    if (refusedAnswer) {
      // The answer itself is not recorded: a token is a credential until it expires.
      audit.append({
        threadId: scope.threadId,
        kind: "approval",
        outcome: "refused",
        node: scope.node,
        principal: scope.principal.id,
        data: {
          requestIds: pending.map((entry) => entry.request.requestId),
          reason: refusedAnswer,
        },
        dedupeKey: `${scope.threadId}:${awaiting[0]?.call.callId}:${scope.node}:approval:refused:${attempt}`,
      });
    }
  }
}

/** Decisions the journal already holds for these requests (taken on an earlier run of the node). */
function recordedDecisions(
  audit: AuditJournal,
  scope: CallScope,
  awaiting: readonly AwaitingCall[],
): Map<string, HumanDecision> {
  const byRequest = new Map(awaiting.map((entry) => [entry.request.requestId, entry]));
  const decided = new Map<string, HumanDecision>();
  for (const record of audit.list(scope.threadId)) {
    if (record.kind !== "approval" || record.node !== scope.node) continue;
    if (record.outcome !== "approved" && record.outcome !== "rejected") continue;
    const entry = byRequest.get(String(record.data.requestId));
    if (!entry || record.data.callHash !== entry.request.callHash) continue;
    decided.set(entry.request.requestId, {
      approved: record.outcome === "approved",
      approver: String(record.data.approver ?? "an approver"),
      reason: typeof record.data.reason === "string" ? record.data.reason : undefined,
    });
  }
  return decided;
}
