import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeViolations } from "../gateway/check-contract.js";
import { emit } from "../graph/events.js";
import type { LoopCall } from "../graph/governor-channel.js";
import { type NodeServices, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { AgentNode, CheckResult } from "../workflow/node-definitions.js";
import { governanceOf, loopNodes, loopScope, openCalls } from "./agent-loop-state.js";

/**
 * An agent loop's preconditions, for every call of the turn: the tool's contract, then the
 * tool's own `check` on the parsed arguments (a tool declared `sufficient`, a read tool, or
 * a handoff has only the contract). Every verdict is audited per call: the tools node will
 * not run a call the journal does not show passing here. A failure answers the model.
 * A check that throws fails the call (fail closed); the other calls go on.
 */
export function agentChecksNode(id: string, node: AgentNode<GraphState>, services: NodeServices) {
  const names = loopNodes(id);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = loopScope(config, names.checks, node, services);
    const messages: BaseMessage[] = [];
    const calls: Record<string, Partial<LoopCall>> = {};
    for (const entry of openCalls(state, id)) {
      if (entry.check) continue;
      const { call } = entry;
      const contract = await services.gateway.checkContract(call, scope);
      let result: CheckResult;
      if (!contract.ok) {
        result = { ok: false, reason: describeViolations(call.tool, contract.violations) };
      } else {
        const check = governanceOf(node, call.tool).check;
        try {
          result = check ? await check({ state, call: { ...call, args: contract.args } }) : { ok: true };
        } catch (error) {
          result = {
            ok: false,
            reason: `the check threw (${error instanceof Error ? error.message : String(error)}); the call is refused`,
          };
        }
        // A check must say yes in so many words: anything else (undefined, a truthy string) is no.
        if (result?.ok !== true && result?.ok !== false) {
          result = {
            ok: false,
            reason: "the check returned no verdict ({ ok: true } or { ok: false, reason })",
          };
        }
      }
      await services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "precondition",
        outcome: result.ok ? "pass" : "fail",
        node: names.checks,
        tool: call.tool,
        principal: scope.principal.id,
        data: { callId: call.id, ...(result.ok ? {} : { reason: result.reason }) },
        dedupeKey: `${scope.threadId}:${call.id}:${names.checks}:precondition`,
      });
      emit(config, {
        type: "precondition",
        node: names.checks,
        tool: call.tool,
        ok: result.ok,
        reason: result.ok ? undefined : result.reason,
      });
      calls[call.id] = result.ok
        ? { check: { ok: true } }
        : { check: { ok: false, reason: result.reason }, settled: "refused" };
      if (!result.ok) messages.push(toolReply(call, `Precondition failed: ${result.reason}`, "error"));
    }
    return { messages, governor: { loops: { [id]: { calls } } } };
  };
}
