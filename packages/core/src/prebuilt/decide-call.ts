import { missingScopes, type Principal } from "@governor/identity";
import { describeViolations } from "../gateway/check-contract.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { CallScope, GatewayDecision, PolicyContext, ToolGateway } from "../gateway/tool-gateway.js";
import { gateFactsRequest } from "../nodes/gate-facts.js";
import type { CheckResult } from "../workflow/node-definitions.js";
import type { ToolGovernance } from "./governed-tools-options.js";

/** A call refused before anything ran (with the text the model reads), or the gateway's decision. */
export type CallVerdict = { readonly refused: string } | { readonly decision: GatewayDecision };

export interface DecideCallInput<TState> {
  readonly gateway: ToolGateway;
  readonly governance: ToolGovernance<TState> | undefined;
  readonly call: ProposedCall;
  readonly state: TState;
  readonly scope: CallScope;
}

/**
 * Decides one call as an agent loop's checks and gate do: identity first, then the zod
 * contract, the tool's precondition on the parsed arguments, and the gateway's facts and
 * policy. A precondition never runs for a call the principal may not make, nor on arguments
 * the contract refuses. Every step that decides is audited.
 *
 * The node re-runs on every resume and decides again, with the policy and facts of now: a
 * call the policy denies since it was sent to a human is refused, never run on the earlier
 * approval. The gateway records one decision per call; a different one on a re-run (another
 * effect, or another policy version) is recorded beside it, so the journal shows why.
 */
export async function decideCall<TState>(input: DecideCallInput<TState>): Promise<CallVerdict> {
  const { gateway, governance, call, state, scope } = input;
  const tool = gateway.tool(call.tool);
  // Unknown and out-of-scope calls go straight to the gateway, which refuses and audits them.
  if (governance && tool && !missingScopes(scope.principal, tool.scopes).length) {
    const contract = await gateway.checkContract(call, scope);
    if (!contract.ok) return { refused: describeViolations(call.tool, contract.violations) };
    if (governance.check) {
      const check = await runCheck(governance, state, { ...call, args: contract.args });
      const outcome = check.ok ? "pass" : "fail";
      await gateway.audit.append({
        threadId: scope.threadId,
        kind: "precondition",
        outcome,
        node: scope.node,
        tool: call.tool,
        principal: scope.principal.id,
        data: { callId: call.id, ...(check.ok ? {} : { reason: check.reason }) },
        dedupeKey: `${scope.threadId}:${call.id}:${scope.node}:precondition:${outcome}`,
      });
      if (!check.ok) return { refused: `Precondition failed: ${check.reason}` };
    }
  }
  const decision = await gateway.authorize(call, scope, (args) =>
    factsOf(governance, state, { ...call, args }, scope.principal),
  );
  if (decision.stage === "policy") await recordRedecision(gateway, call, scope, decision);
  if (decision.effect === "deny")
    return { refused: `Refused by ${decision.stage}: ${decision.reasons.join("; ")}` };
  return { decision };
}

/**
 * The facts the tool's policy reads (its `facts`, or `context` and `resource`), read and
 * checked as a gate's are: a read that throws or returns something that is not plain data
 * denies the call.
 */
export function factsOf<TState>(
  governance: ToolGovernance<TState> | undefined,
  state: TState,
  call: ProposedCall,
  principal: Principal,
): Promise<PolicyContext> {
  if (!governance || (!governance.facts && !governance.context && !governance.resource)) {
    return Promise.resolve({});
  }
  const gate = {
    kind: "gate" as const,
    guards: call.tool,
    facts: governance.facts,
    context: governance.context,
    resource: governance.resource,
  };
  // biome-ignore lint/suspicious/noExplicitAny: the user's state type is the node's own, not a workflow's.
  return gateFactsRequest(`${call.proposedBy}:${call.tool}`, gate as any, state as any, call, { principal });
}

/** Records a policy decision the journal does not hold yet for this call (a re-run that decided otherwise). */
async function recordRedecision(
  gateway: ToolGateway,
  call: ProposedCall,
  scope: CallScope,
  decision: GatewayDecision,
) {
  const held = (
    await gateway.audit.find({
      threadId: scope.threadId,
      callId: call.id,
      kind: "policy",
      node: scope.node,
      outcome: decision.effect,
    })
  ).some((record) => record.data.callHash === decision.callHash);
  if (held) return;
  await gateway.audit.append({
    threadId: scope.threadId,
    kind: "policy",
    outcome: decision.effect,
    node: scope.node,
    tool: call.tool,
    principal: scope.principal.id,
    data: {
      callId: call.id,
      args: decision.args,
      reasons: decision.reasons,
      policyIds: decision.policyIds,
      policyVersion: decision.policyVersion,
      callHash: decision.callHash,
      redecided: true,
    },
    dedupeKey: `${scope.threadId}:${call.id}:${scope.node}:policy:${decision.effect}:${decision.callHash}`,
  });
}

/** The tool's precondition; one that throws, or answers in another shape, fails (closed). */
async function runCheck<TState>(
  governance: ToolGovernance<TState>,
  state: TState,
  call: ProposedCall,
): Promise<CheckResult> {
  try {
    const result = await governance.check?.({ state, call });
    if (result?.ok === true || (result?.ok === false && typeof result.reason === "string")) return result;
    return { ok: false, reason: "the precondition did not return { ok: true } or { ok: false, reason }" };
  } catch (error) {
    return {
      ok: false,
      reason: `the precondition threw: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
