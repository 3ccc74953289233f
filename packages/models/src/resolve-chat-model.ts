import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ScenarioChatModel } from "./scenario-chat-model.js";
import type { ScenarioScript } from "./scenario-script.js";

export interface ResolveChatModelOptions {
  /** The offline script to play when no endpoint is configured. */
  readonly scenario: ScenarioScript;
  /** Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Which model a run uses, for the CLI to print. */
export interface ResolvedChatModel {
  readonly model: BaseChatModel;
  readonly kind: "scenario" | "openai";
  readonly name: string;
}

/**
 * Picks the model for a run: any OpenAI-compatible endpoint when `OPENAI_API_KEY` is set
 * (`OPENAI_BASE_URL` for vLLM, Ollama or LM Studio, `GOVERNOR_MODEL` for the model name),
 * the sample's deterministic scenario model otherwise. The graph does not change either way.
 */
export async function resolveChatModel(options: ResolveChatModelOptions): Promise<ResolvedChatModel> {
  const env = options.env ?? process.env;
  if (env.OPENAI_API_KEY) {
    // Imported lazily: the offline path never loads the OpenAI client.
    const { ChatOpenAI } = await import("@langchain/openai");
    const name = env.GOVERNOR_MODEL ?? "gpt-4o-mini";
    const model = new ChatOpenAI({
      model: name,
      apiKey: env.OPENAI_API_KEY,
      temperature: 0,
      configuration: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : undefined,
    });
    return { model, kind: "openai", name };
  }
  return {
    model: new ScenarioChatModel(options.scenario),
    kind: "scenario",
    name: `scenario:${options.scenario.name}`,
  };
}
