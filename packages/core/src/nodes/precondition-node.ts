import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeViolations } from "../gateway/check-contract.js";
import { emit } from "../graph/events.js";
import { currentCall, guardedTool, type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { CheckResult, PreconditionNode } from "../workflow/node-definitions.js";

/**
 * A precondition: the call's arguments must pass the tool's contract, then the author's
 * business check. Either failure answers the model with the reason and takes the "fail" edge.
 */
export function preconditionNode(id: string, node: PreconditionNode<GraphState>, services: NodeServices) {
  const tool = guardedTool(services, node.guards);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const call = currentCall(state, tool);
    let result: CheckResult;
    if (!call) {
      result = { ok: false, reason: `no proposed call to ${tool} to check` };
    } else {
      const contract = await services.gateway.checkContract(call, scope);
      result = contract.ok
        ? await node.check({ state, call: { ...call, args: contract.args } })
        : { ok: false, reason: describeViolations(tool, contract.violations) };
    }
    await services.gateway.audit.append({
      threadId: scope.threadId,
      kind: "precondition",
      outcome: result.ok ? "pass" : "fail",
      node: id,
      tool,
      principal: scope.principal.id,
      data: { callId: call?.id, ...(result.ok ? {} : { reason: result.reason }) },
      dedupeKey: `${scope.threadId}:${call?.id ?? config.metadata?.langgraph_step}:${id}:precondition`,
    });
    emit(config, {
      type: "precondition",
      node: id,
      tool,
      ok: result.ok,
      reason: result.ok ? undefined : result.reason,
    });
    const branch = result.ok ? "pass" : "fail";
    return {
      messages:
        !result.ok && call ? [toolReply(call, `Precondition ${id} failed: ${result.reason}`, "error")] : [],
      governor: {
        checks: {
          ...state.governor.checks,
          [id]: { ok: result.ok, reason: result.ok ? undefined : result.reason, callId: call?.id },
        },
        routes: { [id]: branch },
      },
    };
  };
}

/** Helpers for precondition checks: `pass()` and `fail("why")`. */
export const pass = (): CheckResult => ({ ok: true });
export const fail = (reason: string): CheckResult => ({ ok: false, reason });
