import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage } from "@langchain/core/messages";

/**
 * The name a model is priced and reported under: `model` (ChatOpenAI and most
 * integrations), `modelName` (older ones), else the integration's type.
 */
export function modelNameOf(model: BaseChatModel): string {
  const named = model as unknown as { model?: unknown; modelName?: unknown };
  if (typeof named.model === "string" && named.model) return named.model;
  if (typeof named.modelName === "string" && named.modelName) return named.modelName;
  return model._llmType();
}

/** The model that actually answered, as the reply says (a dated snapshot, say), when it says. */
export function answeredBy(reply: AIMessage): string | undefined {
  const metadata = reply.response_metadata as Record<string, unknown> | undefined;
  const name = metadata?.model_name ?? metadata?.model;
  return typeof name === "string" && name ? name : undefined;
}
