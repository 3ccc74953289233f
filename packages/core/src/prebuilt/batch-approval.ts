import { peekApprovalRequestId } from "@governor/identity";
import type { AuditJournal } from "@governor/observability";
import { interrupt } from "@langchain/langgraph";
import type { ApprovalAuthority } from "../approvals/approval-authority.js";
import type { ApprovalBatch } from "../approvals/approval-batch.js";
import { approvalBatchAnswerSchema, verifyBatchAnswer } from "../approvals/approval-batch.js";
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
export async function approvalRequestFor(
  scope: CallScope,
  call: TurnCall,
  turnId: string,
  decision: GatewayDecision,
  governance: ToolGovernance<unknown> | undefined,
  audit: AuditJournal,
  summary: string | undefined,
): Promise<ApprovalRequest> {
  const settings = governance?.approval;
  const ttl = settings?.expiresInMs ?? DAY_MS;
  const requested = await audit.append({
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
 * node interrupts again with the reason; a refusal is as final as a decision, so a replayed
 * token that would verify now (one signed as issued in the future) never decides later.
 */
export async function approvalRound(input: ApprovalRoundInput): Promise<ReadonlyMap<string, HumanDecision>> {
  const { scope, awaiting, authority, audit } = input;
  const decided = await recordedDecisions(audit, scope, awaiting);
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
    const given: unknown = interrupt(batch);
    // A token refused at this attempt on an earlier run stays refused (see `refusedBefore`).
    const earlier = await refusedBefore(audit, scope, attempt, pending);
    const { answer, dropped } = withoutTokensFor(given, earlier);
    const verdict =
      answer === undefined
        ? { decided: [], refused: [] }
        : await verifyBatchAnswer(
            authority,
            answer,
            pending.map((entry) => ({ request: entry.request, callId: entry.call.callId })),
            input.now(),
          );
    for (const decision of verdict.decided) {
      const entry = pending.find((candidate) => candidate.request.requestId === decision.requestId);
      if (!entry) continue;
      decided.set(decision.requestId, decision);
      await audit.append({
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
    const refused = [...dropped, ...verdict.refused].filter(
      (refusal) => refusal.requestId === undefined || !decided.has(refusal.requestId),
    );
    refusedAnswer = refused.length ? refused.map((refusal) => refusal.reason).join("; ") : undefined;
    for (const refusal of refused) await recordRefusal(audit, scope, pending, refusal, attempt);
  }
}

/**
 * Records why part of an answer decided nothing. The answer itself is not recorded: a token
 * is a credential until it expires. A refusal of a token naming a pending request is keyed by
 * that request and the attempt, so a later re-run of the node can find it.
 */
async function recordRefusal(
  audit: AuditJournal,
  scope: CallScope,
  pending: readonly AwaitingCall[],
  refusal: { readonly requestId?: string; readonly reason: string },
  attempt: number,
): Promise<void> {
  const entry = pending.find((candidate) => candidate.request.requestId === refusal.requestId);
  const about = entry ? `${entry.call.callId}:${refusal.requestId}` : `${pending[0]?.call.callId}:answer`;
  await audit.append({
    threadId: scope.threadId,
    kind: "approval",
    outcome: "refused",
    node: scope.node,
    tool: entry?.call.toolCall.name,
    principal: scope.principal.id,
    data: {
      callId: entry?.call.callId,
      requestId: entry ? refusal.requestId : undefined,
      reason: refusal.reason,
      attempt,
    },
    dedupeKey: `${scope.threadId}:${about}:${scope.node}:approval:refused:${attempt}`,
  });
}

/**
 * The requests whose token was refused at this attempt on an earlier run of the node, with
 * the reason. LangGraph hands every re-run the same answers in the same order, and a token's
 * verdict can change with time: one refused as issued in the future would verify an hour
 * later and, replayed, decide in place of the answer the approver gave since. So a refusal,
 * once recorded, is the verdict on that token for good.
 */
async function refusedBefore(
  audit: AuditJournal,
  scope: CallScope,
  attempt: number,
  pending: readonly AwaitingCall[],
): Promise<Map<string, string>> {
  const ids = new Set(pending.map((entry) => entry.request.requestId));
  const refused = new Map<string, string>();
  for (const record of await audit.find({
    threadId: scope.threadId,
    kind: "approval",
    outcome: "refused",
    node: scope.node,
  })) {
    const requestId = record.data.requestId;
    if (record.data.attempt !== attempt || typeof requestId !== "string" || !ids.has(requestId)) continue;
    refused.set(requestId, String(record.data.reason ?? "refused earlier"));
  }
  return refused;
}

/** The answer without the tokens for requests in `refused`, and those tokens' refusals. */
function withoutTokensFor(
  answer: unknown,
  refused: ReadonlyMap<string, string>,
): { answer: unknown; dropped: { requestId: string; reason: string }[] } {
  const parsed = approvalBatchAnswerSchema.safeParse(answer);
  if (!refused.size || !parsed.success) return { answer, dropped: [] };
  const tokens = "token" in parsed.data ? [parsed.data.token] : parsed.data.tokens;
  const dropped: { requestId: string; reason: string }[] = [];
  const kept = tokens.filter((token) => {
    const requestId = peekApprovalRequestId(token);
    const reason = requestId === undefined ? undefined : refused.get(requestId);
    if (requestId !== undefined && reason !== undefined) dropped.push({ requestId, reason });
    return reason === undefined;
  });
  // An answer left with no token decides nothing: undefined, not a malformed answer.
  return { answer: kept.length ? { tokens: kept } : undefined, dropped };
}

/** Decisions the journal already holds for these requests (taken on an earlier run of the node). */
async function recordedDecisions(
  audit: AuditJournal,
  scope: CallScope,
  awaiting: readonly AwaitingCall[],
): Promise<Map<string, HumanDecision>> {
  const byRequest = new Map(awaiting.map((entry) => [entry.request.requestId, entry]));
  const decided = new Map<string, HumanDecision>();
  for (const record of await audit.find({ threadId: scope.threadId, kind: "approval", node: scope.node })) {
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
