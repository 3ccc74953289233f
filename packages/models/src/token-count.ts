import type { BaseMessage } from "@langchain/core/messages";
import { type BytePairRanks, bytePairRanks, countBytePairTokens } from "./byte-pair-count.js";

/**
 * Tokens OpenAI's chat format adds around each message (role and separators), and once
 * to prime the reply. Counting them keeps an estimate from running low on long chats.
 */
const PER_MESSAGE_TOKENS = 4;
const REPLY_PRIMING_TOKENS = 3;

let encoder: Promise<BytePairRanks> | undefined;

/**
 * The cl100k_base ranks, loaded on first use: they ship inside js-tiktoken (no download),
 * but parsing them costs a few hundred milliseconds a process should pay only when it
 * counts. Close to every current OpenAI tokenizer for budgeting purposes. Counted with our
 * own merge (`countBytePairTokens`): js-tiktoken's is quadratic in a piece's length, and a
 * long argument without whitespace stalled a run for minutes.
 */
function tokenizer(): Promise<BytePairRanks> {
  encoder ??= import("js-tiktoken/ranks/cl100k_base").then((ranks) => bytePairRanks(ranks.default));
  return encoder;
}

/**
 * How many tokens `text` takes, counted with a real BPE tokenizer. Special-token markers in
 * the text (`<|endoftext|>`) count as the plain text they are, as a chat API treats them.
 */
export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  return countBytePairTokens(text, await tokenizer());
}

/**
 * How many input tokens a model call with these messages takes: text, tool calls and
 * the chat format's per-message overhead. An estimate for models that report no usage,
 * and for checking a budget before a call is made.
 */
export async function countMessageTokens(messages: readonly BaseMessage[]): Promise<number> {
  const ranks = await tokenizer();
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    total += PER_MESSAGE_TOKENS + countBytePairTokens(messageText(message), ranks);
  }
  return total;
}

/** A message's text as the model reads it, tool calls included. */
export function messageText(message: BaseMessage): string {
  const content = typeof message.content === "string" ? message.content : JSON.stringify(message.content);
  const calls = (message as { tool_calls?: readonly { name: string; args: unknown }[] }).tool_calls;
  return calls?.length ? `${content}${JSON.stringify(calls.map((call) => [call.name, call.args]))}` : content;
}
