import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { GovernorError } from "@governor/errors";
import { emit } from "../graph/events.js";
import type { GovernorUpdate } from "../graph/governor-channel.js";
import { type NodeServices, scopeOf, toolReply } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { ModelNode } from "../workflow/node-definitions.js";

/**
 * A model step. The model may propose tool calls; the first call to a tool offered at this
 * step becomes the proposal the governance nodes decide. Every other call is answered at
 * once with a refusal, so nothing the model asks for is left hanging or runs unchecked.
 */
export function modelNode(id: string, node: ModelNode<GraphState>, services: NodeServices) {
  const model = services.model;
  if (!model) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${services.workflow.name}" has a model step (${id}) but compile() was given no model`,
    );
  }
  const offered = (node.tools ?? []).map((name) => services.gateway.tool(name) as AnyTool);
  let runnable: { invoke: (messages: BaseMessage[], config: LangGraphRunnableConfig) => Promise<AIMessage> } =
    model as never;
  if (offered.length) {
    if (typeof model.bindTools !== "function") {
      throw new GovernorError(
        "CONFIG_INVALID",
        `The model for ${id} cannot call tools (it has no bindTools)`,
      );
    }
    runnable = model.bindTools(offered.map(toolSpec)) as never;
  }
  const offeredNames = new Set(offered.map((tool) => tool.name));

  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const instructions =
      typeof node.instructions === "function" ? node.instructions(state) : node.instructions;
    const added: BaseMessage[] = [...closeDanglingCalls(state.messages)];
    const humanText = node.input?.(state);
    if (humanText) added.push(new HumanMessage(humanText));

    const reply = await runnable.invoke(
      [new SystemMessage(instructions), ...state.messages, ...added],
      config,
    );
    added.push(reply);

    let proposal: GovernorUpdate["proposal"] = null;
    let callCount = state.governor.callCount;
    for (const call of reply.tool_calls ?? []) {
      const id_ = call.id ?? `${id}_${callCount}`;
      if (!proposal && offeredNames.has(call.name)) {
        proposal = { id: id_, tool: call.name, args: call.args, callIndex: callCount++, proposedBy: id };
        continue;
      }
      const reason = offeredNames.has(call.name)
        ? "only one tool call is decided per step; propose it again after this one is done"
        : `no tool named ${call.name} is available at this step`;
      services.gateway.audit.append({
        threadId: scope.threadId,
        kind: "identity",
        outcome: "deny",
        node: id,
        tool: call.name,
        principal: scope.principal.id,
        data: { callId: id_, args: call.args, reasons: [reason] },
        dedupeKey: `${scope.threadId}:${id_}:${id}:identity`,
      });
      emit(config, { type: "refused-tool", node: id, tool: call.name, reason });
      added.push(toolReply({ id: id_, tool: call.name }, `Refused: ${reason}`, "error"));
    }

    const text = typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content);
    services.gateway.audit.append({
      threadId: scope.threadId,
      kind: "model",
      outcome: proposal ? "proposed" : "answered",
      node: id,
      principal: scope.principal.id,
      data: {
        text: text.slice(0, 2000),
        toolCalls: (reply.tool_calls ?? []).map((call) => ({ tool: call.name, args: call.args })),
        usage: reply.usage_metadata,
      },
      dedupeKey: `${scope.threadId}:${config.metadata?.langgraph_step ?? "?"}:${id}:model`,
    });
    emit(config, {
      type: "model",
      node: id,
      text,
      toolCalls: (reply.tool_calls ?? []).map((call) => ({ tool: call.name, args: call.args })),
    });
    const update: GovernorUpdate = { proposal, callCount, checks: {}, gate: null, approval: null };
    return { ...(node.onReply?.(state, text) ?? {}), messages: added, governor: update };
  };
}

/** The tool as a model API sees it: name, description and the contract as JSON Schema. */
function toolSpec(tool: AnyTool) {
  return {
    type: "function" as const,
    function: {
      name: tool.name,
      description: tool.description,
      parameters: z.toJSONSchema(tool.input) as Record<string, unknown>,
    },
  };
}

/**
 * Tool calls no node answered (the workflow routed elsewhere) get a "not executed" reply
 * before the model is asked again: model APIs reject a conversation with unanswered calls,
 * and the model should know the call did not happen.
 */
function closeDanglingCalls(messages: readonly BaseMessage[]): BaseMessage[] {
  const answered = new Set(
    messages.filter((m) => m.getType() === "tool").map((m) => (m as { tool_call_id?: string }).tool_call_id),
  );
  const replies: BaseMessage[] = [];
  for (const message of messages) {
    if (!AIMessage.isInstance(message)) continue;
    for (const call of message.tool_calls ?? []) {
      if (call.id && !answered.has(call.id)) {
        replies.push(
          toolReply(
            { id: call.id, tool: call.name },
            "Not executed: the workflow did not take this call.",
            "error",
          ),
        );
      }
    }
  }
  return replies;
}
