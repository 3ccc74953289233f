import { GovernorError } from "@governor/errors";
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { type ApprovalRequest, refusalFields } from "../approvals/approval-request.js";
import { refusedBefore } from "../approvals/refused-before.js";
import { approvalRequestId } from "../approvals/request-id.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import { emit } from "../graph/events.js";
import type { ApprovalRecord, GateRecord } from "../graph/governor-channel.js";
import { currentCall, guardedTool, type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { nodeOf } from "../workflow/define-workflow.js";
import type { ApprovalNode } from "../workflow/node-definitions.js";
import { policyNowDenies } from "./gate-facts.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Human-in-the-loop: interrupts with a request bound to the gate's call hash and waits.
 *
 * An answer that does not hold (malformed, for another call, approving after expiry) is
 * audited and refused, and the node interrupts again: the run stays waiting. LangGraph
 * replays earlier answers to earlier `interrupt()` calls on each resume, so the loop
 * re-verifies them deterministically and the refusal records are deduplicated by attempt.
 *
 * The request carries its own id, derived from the gate's record (see `approvalRequestId`),
 * and a decision must be signed for this thread, this node and that id: a decision for an
 * identical call in another run, or for an earlier request of this run, is refused.
 */
export function approvalNode(id: string, node: ApprovalNode<GraphState>, services: NodeServices) {
  const tool = guardedTool(services, node.guards);
  const ttl = node.expiresInMs ?? DAY_MS;
  const decisionLifetimeMs = Math.min(node.decisionLifetimeMs ?? HOUR_MS, ttl);
  const approvals = services.approvals;
  if (!approvals) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${services.workflow.name}" has an approval step (${id}) but compile() was given no tokenKeys to verify approvers' signatures`,
    );
  }
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const call = currentCall(state, tool);
    const gate = state.governor.gate;
    const audit = (outcome: string, data: Record<string, unknown>, suffix: string) =>
      services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "approval",
        outcome,
        node: id,
        tool,
        principal: scope.principal.id,
        data: { callId: call?.id, callHash: gate?.callHash, ...data },
        dedupeKey: `${scope.threadId}:${call?.id}:${id}:approval:${suffix}`,
      });

    // Fail closed: only a require-approval decision for this very call can be approved.
    if (
      !call ||
      !gate ||
      gate.effect !== "require-approval" ||
      gate.guards !== node.guards ||
      gate.callId !== call.id
    ) {
      const reason = "no pending require-approval decision for this call";
      await audit("rejected", { reason }, "precondition");
      emit(config, { type: "approval", node: id, tool, approved: false, approver: "governor", reason });
      return { governor: { approval: null, routes: { [id]: "rejected" } } };
    }

    const request: ApprovalRequest = {
      type: "approval",
      threadId: scope.threadId,
      node: id,
      requestId: approvalRequestId(scope.threadId, id, gate),
      tool,
      args: gate.args,
      principal: scope.principal.id,
      callHash: gate.callHash,
      policyVersion: gate.policyVersion,
      reasons: gate.reasons,
      policyIds: gate.policyIds,
      requiredScope: node.requiredScope,
      summary: node.summary?.(state, { ...call, args: gate.args }),
      // Derived from the gate's decision time, not the clock, so the request is identical on every re-run.
      requestedAt: new Date(gate.decidedAt).toISOString(),
      expiresAt: new Date(gate.decidedAt + ttl).toISOString(),
      decisionLifetimeMs,
    };
    await audit(
      "requested",
      { args: gate.args, requestId: request.requestId, expiresAt: request.expiresAt, reasons: gate.reasons },
      "requested",
    );

    let refusedAnswer: string | undefined;
    for (let attempt = 0; ; attempt++) {
      // After a refusal the request says why, and which answer it was (the previous attempt).
      const answer: unknown = interrupt({ ...request, ...refusalFields(refusedAnswer, attempt - 1) });
      // An answer refused once stays refused when LangGraph replays it (see refusedBefore).
      const earlier = await refusedBefore(services.gateway.audit, {
        threadId: scope.threadId,
        kind: "approval",
        node: id,
        request: request.requestId,
        attempt,
      });
      const verdict =
        earlier !== undefined
          ? { ok: false as const, reason: earlier }
          : await approvals.verify(answer, request, { callId: call.id }, services.gateway.now());
      if (!verdict.ok) {
        refusedAnswer = verdict.reason;
        // The answer itself is not recorded: a token is a credential until it expires.
        await audit(
          "refused",
          { reason: verdict.reason, refusedRequest: request.requestId, attempt },
          `refused:${attempt}`,
        );
        emit(config, {
          type: "approval-refused",
          node: id,
          tool,
          reason: verdict.reason,
          code: "APPROVAL_INVALID",
          attempt,
        });
        continue;
      }
      const { approver, jti } = verdict;
      // An approval given under an older policy lapses: the call is not run on a decision made under other rules.
      const policyChanged = services.gateway.policy.version !== request.policyVersion;
      // A version names the rules' text, not values they capture (a limit or block list in a
      // variable), so an approved call is put to the policy once more: one it now denies lapses too.
      const deniedNow =
        verdict.approved && !policyChanged
          ? await deniesOnRecheck(state, call, gate, scope, services)
          : undefined;
      const approved = verdict.approved && !policyChanged && !deniedNow;
      const reason = policyChanged
        ? `the policy changed since approval was requested (${request.policyVersion} → ${services.gateway.policy.version}); propose the call again`
        : deniedNow
          ? `the policy now denies this call (${deniedNow}); propose the call again`
          : verdict.reason;
      const record: ApprovalRecord = { node: id, approved, approver, reason, callHash: request.callHash };
      await audit(
        approved ? "approved" : "rejected",
        { approver, reason, decisionId: jti, requestId: request.requestId },
        "decided",
      );
      emit(config, { type: "approval", node: id, tool, approved, approver, reason });
      return {
        messages: approved
          ? []
          : [
              toolReply(
                call,
                `Rejected by ${approver}${reason ? `: ${reason}` : ""}. The call did not run.`,
                "error",
              ),
            ],
        governor: { approval: record, routes: { [id]: approved ? "approved" : "rejected" } },
      };
    }
  };
}

/** Why the policy now denies the approved call, asking as the gate that decided it; a gate gone from the workflow is a denial. */
async function deniesOnRecheck(
  state: GraphState,
  call: ProposedCall,
  gate: GateRecord,
  scope: CallScope,
  services: NodeServices,
): Promise<string | undefined> {
  const gateNode = nodeOf(services.workflow, gate.node);
  if (gateNode?.kind !== "gate") return `the gate ${gate.node} that decided it is gone`;
  return policyNowDenies({
    gateId: gate.node,
    gate: gateNode,
    state,
    call: { ...call, tool: gate.tool, args: gate.args },
    principal: scope.principal,
    policy: services.gateway.policy,
    memory: services.memory,
  });
}
