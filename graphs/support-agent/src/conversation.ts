import type { BaseMessage } from "@langchain/core/messages";

/** One tool call the model made in this conversation, and what came back, if anything yet. */
export interface ToolExchange {
  readonly id: string;
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The model turn (1-based) that proposed it. */
  readonly turn: number;
  /** The tool message's text; undefined while no answer has come back. */
  readonly result?: string;
  /** The answer was a tool error: a refusal, a rejection or a failed handler. */
  readonly error: boolean;
}

interface ToolCallLike {
  readonly id?: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/**
 * Every tool call in the conversation with its answer, in the order proposed. A scripted agent
 * plans its next turn from these, as a real one reads the transcript: parallel calls answer in
 * several tool messages, so "the last message" alone does not say what happened.
 */
export function toolExchanges(messages: readonly BaseMessage[]): ToolExchange[] {
  const answers = new Map<string, { text: string; error: boolean }>();
  for (const message of messages) {
    if (message.getType() !== "tool") continue;
    const tool = message as BaseMessage & { tool_call_id?: string; status?: string };
    const text = textOf(message);
    answers.set(String(tool.tool_call_id), {
      text,
      error: tool.status === "error" || /^(Refused|Rejected)\b/.test(text),
    });
  }
  const exchanges: ToolExchange[] = [];
  let turn = 0;
  for (const message of messages) {
    if (message.getType() !== "ai") continue;
    turn += 1;
    const calls = ((message as BaseMessage & { tool_calls?: ToolCallLike[] }).tool_calls ?? []).filter(
      (call) => call.id !== undefined,
    );
    for (const call of calls) {
      const answer = answers.get(String(call.id));
      exchanges.push({
        id: String(call.id),
        name: call.name,
        args: call.args,
        turn,
        result: answer?.text,
        error: answer?.error ?? false,
      });
    }
  }
  return exchanges;
}

/** A successful result's JSON, or undefined for an error or text that is not JSON. */
export function resultOf<T>(exchange: ToolExchange | undefined): T | undefined {
  if (!exchange?.result || exchange.error) return undefined;
  try {
    return JSON.parse(exchange.result) as T;
  } catch {
    return undefined;
  }
}

function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}
