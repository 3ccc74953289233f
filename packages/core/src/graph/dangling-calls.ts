import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { toolReply } from "./node-scope.js";

/**
 * Tool calls no node answered (the workflow routed elsewhere) get a "not executed" reply
 * before the model is asked again: model APIs reject a conversation with unanswered calls,
 * and the model should know the call did not happen.
 */
export function closeDanglingCalls(messages: readonly BaseMessage[]): BaseMessage[] {
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
