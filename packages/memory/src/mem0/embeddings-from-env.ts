import type { Embeddings } from "@langchain/core/embeddings";
import { LocalEmbeddings } from "./local-embeddings.js";

/** The variables {@link embeddingsFromEnv} reads. */
export interface EmbeddingsEnv {
  readonly OPENAI_API_KEY?: string;
  readonly OPENAI_BASE_URL?: string;
  readonly GOVERNOR_EMBEDDINGS_MODEL?: string;
  readonly [name: string]: string | undefined;
}

/** OpenAI's small embedding model, the default when a key is set and no model is named. */
export const DEFAULT_EMBEDDINGS_MODEL = "text-embedding-3-small";

/**
 * The embedder the environment asks for: `OpenAIEmbeddings` from @langchain/openai when
 * `OPENAI_API_KEY` is set (any OpenAI-compatible endpoint through `OPENAI_BASE_URL`: vLLM,
 * Ollama, LM Studio; model `GOVERNOR_EMBEDDINGS_MODEL`), otherwise the offline
 * {@link LocalEmbeddings}. @langchain/openai is imported only in the first case.
 *
 * A Mem0 index directory is built with one embedder: switching later is refused
 * (CONFIG_INVALID) rather than mixing vectors of two models.
 *
 * @example
 * const index = new Mem0FactIndex({ dir: ".governor/mem0", embeddings: await embeddingsFromEnv(process.env) });
 */
export async function embeddingsFromEnv(env: EmbeddingsEnv = process.env): Promise<Embeddings> {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return new LocalEmbeddings();
  const { OpenAIEmbeddings } = await import("@langchain/openai");
  const baseURL = env.OPENAI_BASE_URL?.trim();
  return new OpenAIEmbeddings({
    apiKey,
    model: env.GOVERNOR_EMBEDDINGS_MODEL?.trim() || DEFAULT_EMBEDDINGS_MODEL,
    ...(baseURL ? { configuration: { baseURL } } : {}),
  });
}
