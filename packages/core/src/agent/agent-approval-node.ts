import { GovernorError } from "@governor/errors";
import type { BaseMessage } from "@langchain/core/messages";
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ApprovalBatch } from "../approvals/approval-batch.js";
import { verifyBatchAnswer } from "../approvals/approval-batch.js";
import { type ApprovalRequest, refusalFields } from "../approvals/approval-request.js";
import { refusedBefore } from "../approvals/refused-before.js";
import { approvalRequestId } from "../approvals/request-id.js";
import { emit } from "../graph/events.js";
import type { LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { policyNowDenies } from "../nodes/gate-facts.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { asGate, governanceOf, loopNodes, loopScope, openCalls } from "./agent-loop-state.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** The calls of the turn the policy sent to a human and nobody has decided yet. */
export function waitingCalls(state: GraphState, id: string): LoopCall[] {
  return openCalls(state, id).filter((entry) => entry.gate?.effect === "require-approval" && !entry.approval);
}

/**
 * An agent loop's human-in-the-loop: ONE interrupt listing every call of the turn that
 * waits for a person, each its own request bound to its own call hash and request id.
 *
 * An answer decides only the requests its signed decisions name: approved calls go to the
 * tools node and run (exactly once) while the others keep waiting; a rejected call answers
 * the model and does not hold up its siblings; a decision signed for one call can never
 * apply to another. An answer that decides nothing (malformed, forged, for a request not
 * pending, replayed) is audited and the node asks again. As with a single approval, an
 * approval given under an older policy, or one the policy now denies, lapses.
 */
export function agentApprovalNode(id: string, node: AgentNode<GraphState>, services: NodeServices) {
  const names = loopNodes(id);
  const approvals = services.approvals;
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = loopScope(config, names.approval, node, services);
    const waiting = waitingCalls(state, id);
    if (!waiting.length) return { governor: { routes: { [names.approval]: "tools" } } };
    if (!approvals) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Agent ${id} needs an approval but compile() was given no tokenKeys to verify approvers' signatures`,
      );
    }
    const audit = (entry: LoopCall, outcome: string, data: Record<string, unknown>, suffix: string) =>
      services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "approval",
        outcome,
        node: names.approval,
        tool: entry.call.tool,
        principal: scope.principal.id,
        data: { callId: entry.call.id, callHash: entry.gate?.callHash, ...data },
        dedupeKey: `${scope.threadId}:${entry.call.id}:${names.approval}:approval:${suffix}`,
      });

    // One at a time, in order: each request's record is written before the next is made.
    const pending: { entry: LoopCall; request: ReturnType<typeof requestFor> }[] = [];
    for (const entry of waiting) {
      const request = requestFor(entry, state, scope.threadId, scope.principal.id, names.approval, node);
      await audit(
        entry,
        "requested",
        {
          args: request.args,
          requestId: request.requestId,
          expiresAt: request.expiresAt,
          reasons: request.reasons,
        },
        "requested",
      );
      pending.push({ entry, request });
    }
    emit(config, { type: "approvals-waiting", node: names.approval, requests: pending.length });

    const visit = `${pending.length}-${pending[0]?.request.requestId}`;
    let refusedAnswer: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const batch: ApprovalBatch = {
        type: "approvals",
        threadId: scope.threadId,
        node: names.approval,
        requests: pending.map((item) => item.request),
        ...refusalFields(refusedAnswer, attempt - 1),
      };
      const answer: unknown = interrupt(batch);
      // An answer refused once stays refused when LangGraph replays it (see refusedBefore).
      const earlier = await refusedBefore(services.gateway.audit, {
        threadId: scope.threadId,
        kind: "approval",
        node: names.approval,
        request: visit,
        attempt,
      });
      const verdict =
        earlier !== undefined
          ? { decided: [], refused: [{ reason: earlier }] }
          : await verifyBatchAnswer(
              approvals,
              answer,
              pending.map((item) => ({ request: item.request, callId: item.entry.call.id })),
              services.gateway.now(),
            );
      for (const [index, refusal] of verdict.refused.entries()) {
        // The answer itself is not recorded: a token is a credential until it expires.
        await services.gateway.audit.append({
          threadId: scope.threadId,
          kind: "approval",
          outcome: "refused",
          node: names.approval,
          principal: scope.principal.id,
          data: {
            requestId: refusal.requestId ?? null,
            reason: refusal.reason,
            refusedRequest: visit,
            attempt,
          },
          // A visit ends only once something is decided, so the pending set names the visit.
          dedupeKey: `${scope.threadId}:${names.approval}:refused:${visit}:${attempt}:${index}`,
        });
        emit(config, {
          type: "approval-refused",
          node: names.approval,
          tool: "",
          reason: refusal.reason,
          code: "APPROVAL_INVALID",
          attempt,
        });
      }
      if (!verdict.decided.length) {
        refusedAnswer = verdict.refused.map((refusal) => refusal.reason).join("; ");
        continue;
      }
      const messages: BaseMessage[] = [];
      const calls: Record<string, Partial<LoopCall>> = {};
      for (const decision of verdict.decided) {
        const item = pending.find((candidate) => candidate.request.requestId === decision.requestId);
        if (!item) continue;
        const { entry, request } = item;
        const lapse = decision.approved
          ? await approvalLapse(state, entry, request, node, services, scope)
          : undefined;
        const approved = decision.approved && !lapse;
        const reason = lapse ?? decision.reason;
        await audit(
          entry,
          approved ? "approved" : "rejected",
          { approver: decision.approver, reason, decisionId: decision.jti, requestId: request.requestId },
          "decided",
        );
        emit(config, {
          type: "approval",
          node: names.approval,
          tool: entry.call.tool,
          approved,
          approver: decision.approver,
          reason,
        });
        const approval = {
          node: names.approval,
          approved,
          approver: decision.approver,
          reason,
          callHash: request.callHash,
        };
        calls[entry.call.id] = approved ? { approval } : { approval, settled: "refused" };
        if (!approved) {
          messages.push(
            toolReply(
              entry.call,
              `Rejected by ${decision.approver}${reason ? `: ${reason}` : ""}. The call did not run.`,
              "error",
            ),
          );
        }
      }
      return { messages, governor: { loops: { [id]: { calls } }, routes: { [names.approval]: "tools" } } };
    }
  };
}

/** The request for one waiting call: derived from the gate's record only, so every re-run builds the same one. */
function requestFor(
  entry: LoopCall,
  state: GraphState,
  threadId: string,
  principal: string,
  approvalNode: string,
  node: AgentNode<GraphState>,
): ApprovalRequest {
  const gate = entry.gate as NonNullable<LoopCall["gate"]>;
  const settings = governanceOf(node, entry.call.tool).approval ?? {};
  const ttl = settings.expiresInMs ?? DAY_MS;
  return {
    type: "approval",
    threadId,
    node: approvalNode,
    requestId: approvalRequestId(threadId, approvalNode, gate),
    tool: entry.call.tool,
    args: gate.args,
    principal,
    callHash: gate.callHash,
    policyVersion: gate.policyVersion,
    reasons: gate.reasons,
    policyIds: gate.policyIds,
    requiredScope: settings.requiredScope,
    summary: settings.summary?.(state, { ...entry.call, args: gate.args }),
    requestedAt: new Date(gate.decidedAt).toISOString(),
    expiresAt: new Date(gate.decidedAt + ttl).toISOString(),
    decisionLifetimeMs: Math.min(settings.decisionLifetimeMs ?? HOUR_MS, ttl),
  };
}

/**
 * Why an approval no longer holds, or undefined: the policy changed since the request, or
 * the policy, asked again with the tool's facts read afresh, now denies the call (a rule's
 * version names its text, not the values it captures). Facts that cannot be read now lapse it.
 */
async function approvalLapse(
  state: GraphState,
  entry: LoopCall,
  request: ApprovalRequest,
  node: AgentNode<GraphState>,
  services: NodeServices,
  scope: { principal: import("@governor/identity").Principal },
): Promise<string | undefined> {
  const version = services.gateway.policy.version;
  if (version !== request.policyVersion) {
    return `the policy changed since approval was requested (${request.policyVersion} → ${version}); propose the call again`;
  }
  const denied = await policyNowDenies({
    gateId: request.node,
    gate: asGate(governanceOf(node, entry.call.tool), ""),
    state,
    call: { ...entry.call, args: request.args },
    principal: scope.principal,
    policy: services.gateway.policy,
    memory: services.memory,
  });
  return denied === undefined
    ? undefined
    : `the policy now denies this call (${denied}); propose the call again`;
}
