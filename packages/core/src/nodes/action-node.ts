import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeExecution, errorCodeOf } from "../gateway/execution-result.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { CallScope, PolicyContext } from "../gateway/tool-gateway.js";
import { emit } from "../graph/events.js";
import { currentCall, type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { gateDeclaredSufficient } from "../workflow/check-graph.js";
import { nodeOf, normalizeEdge } from "../workflow/define-workflow.js";
import type { ActionNode } from "../workflow/node-definitions.js";
import { gateFactsRequest } from "./gate-facts.js";
import { checkDecidedCall } from "./recorded-decision.js";

/**
 * Executes the proposed call, and only the call that was decided.
 *
 * The graph already guarantees the action sits behind its gate; this node checks again at
 * run time that the gate allowed (or a human approved) this exact call under the same
 * hash, because state can be edited between nodes (Studio lets a user fork a thread). The
 * hash is no secret, so the decisions are also looked up in the audit journal, which a state
 * edit cannot reach.
 *
 * A call that does not succeed (after the tool's timeout, retries, breaker and fallback)
 * follows the action's "escalated" edge when the tool escalates and the workflow has one,
 * else its "failed" edge; with neither it throws TOOL_TIMEOUT, CIRCUIT_OPEN, TOOL_FAILED or
 * ESCALATED. Either way the model's tool message says what happened.
 */
export function actionNode(
  id: string,
  node: ActionNode<GraphState>,
  services: NodeServices,
  hasFailedEdge: boolean,
) {
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const checked = await checkAuthorized(state, id, node.tool, scope, services);
    if (!checked.ok) {
      await services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "execution",
        outcome: "refused",
        node: id,
        tool: node.tool,
        principal: scope.principal.id,
        data: { callId: state.governor.proposal?.id, reason: checked.problem },
        dedupeKey: `${scope.threadId}:${state.governor.proposal?.id}:${id}:execution-refused`,
      });
      throw new GovernorError(
        "APPROVAL_REQUIRED",
        `Action ${id} refused to run ${node.tool}: ${checked.problem}`,
        {
          node: id,
          tool: node.tool,
        },
      );
    }
    const { call, args } = checked;

    const outcome = await services.gateway.execute(call, args, scope, () =>
      gateRequest(state, call, node.tool, services, scope.principal),
    );
    const summary = describeExecution(outcome);
    emit(config, {
      type: "action",
      node: id,
      // A fallback's success is reported under the tool that actually ran.
      tool: outcome.ok ? outcome.tool : node.tool,
      ok: outcome.ok,
      result: outcome.ok ? outcome.result : undefined,
      error: outcome.ok ? undefined : summary,
      replayed: outcome.replayed,
    });
    if (!outcome.ok) {
      // An escalation goes to its own edge when the workflow has one; any failure to "failed".
      const route =
        outcome.escalated && hasEdge(services, id, "escalated")
          ? "escalated"
          : hasFailedEdge
            ? "failed"
            : undefined;
      if (!route) {
        throw new GovernorError(errorCodeOf(outcome), `Action ${id}: ${summary}`, {
          node: id,
          tool: node.tool,
          reason: outcome.reason,
          escalated: outcome.escalated,
          fallback: outcome.fallback,
          idempotencyKey: outcome.idempotencyKey,
        });
      }
      return {
        messages: [toolReply(call, `The call did not succeed: ${summary}.`, "error")],
        governor: {
          routes: { [id]: route },
          outcomes: [{ callId: call.id, tool: outcome.tool, ok: false, error: summary }],
        },
      };
    }
    const json = JSON.stringify(outcome.result ?? null);
    return {
      ...(node.onResult?.(state, outcome.result) ?? {}),
      // The model is told when another tool answered in place of the one it asked for.
      messages: [toolReply(call, outcome.fallback ? `${summary}: ${json}` : json, "success")],
      governor: {
        routes: { [id]: "done" },
        outcomes: [
          {
            callId: call.id,
            tool: outcome.tool,
            ok: true,
            result: outcome.result,
            replayed: outcome.replayed,
          },
        ],
      },
    };
  };
}

function hasEdge(services: NodeServices, from: string, on: string): boolean {
  return services.workflow.edges.map(normalizeEdge).some((edge) => edge.from === from && edge.on === on);
}

type Authorized =
  | { ok: true; call: ProposedCall; args: Record<string, unknown> }
  | { ok: false; problem: string };

/** The call, re-parsed, when the gate allowed it (or a human approved it) under the same hash. */
async function checkAuthorized(
  state: GraphState,
  action: string,
  tool: string,
  scope: CallScope,
  services: NodeServices,
): Promise<Authorized> {
  const call = currentCall(state, tool);
  if (!call) return { ok: false, problem: `no proposed call to ${tool}` };
  const { gate, approval, checks } = state.governor;
  const guards = Object.entries(services.workflow.nodes)
    .filter(([, node]) => node.kind === "precondition" && node.guards === action)
    .map(([id]) => id);
  const preconditions = guards.map((id) => checks[id]).filter((check) => check?.callId === call.id);
  // No precondition node is needed only where validate() allowed it: the gate was declared sufficient.
  const waived = !guards.length && gateDeclaredSufficient(services.workflow, action);
  if ((!preconditions.length && !waived) || preconditions.some((check) => !check?.ok))
    return { ok: false, problem: "the call did not pass its precondition" };
  if (!gate || gate.guards !== action || gate.callId !== call.id)
    return { ok: false, problem: "no gate decided this call" };
  const decided = await checkDecidedCall({
    action,
    tool,
    preconditions: guards,
    call,
    gate,
    approval,
    scope,
    gateway: services.gateway,
  });
  return decided.ok ? { ok: true, call, args: decided.args } : decided;
}

/** The policy request the gate guarding this action decided with, so a fallback tool faces the same facts. */
async function gateRequest(
  state: GraphState,
  call: ProposedCall,
  tool: string,
  services: NodeServices,
  principal: Principal,
): Promise<PolicyContext> {
  const gateId = state.governor.gate?.node;
  const gate = gateId ? nodeOf(services.workflow, gateId) : undefined;
  if (!gateId || gate?.kind !== "gate") return {};
  // Facts are awaited and checked as the gate's were; facts that cannot be read refuse the fallback.
  return gateFactsRequest(gateId, gate, state, { ...call, tool }, { principal, memory: services.memory });
}
