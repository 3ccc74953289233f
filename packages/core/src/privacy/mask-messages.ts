import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import type { PiiMasker } from "./pii-mask.js";

/** The prompt as the model may read it: every message's text content masked. */
export function maskMessages(messages: readonly BaseMessage[], masker: PiiMasker | undefined): BaseMessage[] {
  if (!masker) return [...messages];
  return messages.map((message) => {
    if (typeof message.content !== "string") return message;
    const content = masker.mask(message.content);
    if (content === message.content && !AIMessage.isInstance(message)) return message;
    switch (message.getType()) {
      case "system":
        return new SystemMessage({ content, id: message.id });
      case "human":
        return new HumanMessage({ content, id: message.id });
      case "tool":
        return new ToolMessage({
          content,
          id: message.id,
          tool_call_id: (message as ToolMessage).tool_call_id,
          name: message.name,
          status: (message as ToolMessage).status,
        });
      case "ai": {
        const ai = message as AIMessage;
        // The model's own earlier calls are shown to it masked too, so no real value leaks back in.
        return new AIMessage({
          content,
          id: ai.id,
          tool_calls: ai.tool_calls?.map((call) => ({
            ...call,
            args: JSON.parse(masker.mask(JSON.stringify(call.args))),
          })),
        });
      }
      default:
        return message;
    }
  });
}

/** The model's reply with real values put back into its tool-call arguments, so tools act on real data. */
export function unmaskToolCalls<T extends BaseMessage>(reply: T, masker: PiiMasker | undefined): T {
  if (!masker || !AIMessage.isInstance(reply) || !reply.tool_calls?.length) return reply;
  reply.tool_calls = reply.tool_calls.map((call) => ({ ...call, args: masker.unmask(call.args) }));
  return reply;
}
