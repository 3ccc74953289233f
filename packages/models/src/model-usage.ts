import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { TokenUsage } from "./pricing.js";
import { countMessageTokens, countTokens, messageText } from "./token-count.js";

/** The tokens one call used, and whether the model reported them or they were estimated. */
export interface MeasuredUsage extends TokenUsage {
  readonly source: "reported" | "estimated";
}

/**
 * The usage a reply reports: LangChain's `usage_metadata`, or the provider's own
 * `tokenUsage` / `usage` in the response metadata for integrations that fill only those.
 */
export function reportedUsage(reply: AIMessage): TokenUsage | undefined {
  const metadata = reply.usage_metadata;
  if (metadata && (metadata.input_tokens > 0 || metadata.output_tokens > 0)) {
    return { inputTokens: metadata.input_tokens, outputTokens: metadata.output_tokens };
  }
  const raw = reply.response_metadata as Record<string, unknown> | undefined;
  const provider = (raw?.tokenUsage ?? raw?.usage) as Record<string, unknown> | undefined;
  const input = Number(provider?.promptTokens ?? provider?.prompt_tokens ?? provider?.input_tokens);
  const output = Number(provider?.completionTokens ?? provider?.completion_tokens ?? provider?.output_tokens);
  if (Number.isFinite(input) && Number.isFinite(output)) return { inputTokens: input, outputTokens: output };
  return undefined;
}

/**
 * What a call used: the model's own report when it gives one, otherwise an estimate of the
 * prompt and the reply counted with the tokenizer. Budgets count either way, so a model
 * that reports nothing is never free.
 */
export async function measureUsage(reply: AIMessage, prompt: readonly BaseMessage[]): Promise<MeasuredUsage> {
  const reported = reportedUsage(reply);
  if (reported) return { ...reported, source: "reported" };
  return {
    inputTokens: await countMessageTokens(prompt),
    outputTokens: await countTokens(messageText(reply)),
    source: "estimated",
  };
}
