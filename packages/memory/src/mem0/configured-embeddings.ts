import { Embeddings } from "@langchain/core/embeddings";
import { type EmbeddingsEnv, embeddingsFromEnv } from "./embeddings-from-env.js";
import { LocalEmbeddings } from "./local-embeddings.js";

/**
 * The embedder a store opened without code uses: the offline {@link LocalEmbeddings} unless
 * `GOVERNOR_EMBEDDINGS_MODEL` asks for an OpenAI-compatible model (with `OPENAI_API_KEY`, and
 * `OPENAI_BASE_URL` for vLLM, Ollama, LM Studio). Opt-in by name, not by the key alone: a Mem0
 * directory holds vectors of one model, and a key set for chat must not silently switch it.
 * The remote client is created on the first embedding, so opening a store costs nothing.
 */
export function configuredEmbeddings(env: EmbeddingsEnv = process.env): Embeddings {
  if (!env.GOVERNOR_EMBEDDINGS_MODEL?.trim()) return new LocalEmbeddings();
  return new DeferredEmbeddings(() => embeddingsFromEnv(env));
}

class DeferredEmbeddings extends Embeddings {
  #resolved: Promise<Embeddings> | undefined;
  readonly #resolve: () => Promise<Embeddings>;

  constructor(resolve: () => Promise<Embeddings>) {
    super({});
    this.#resolve = resolve;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return (await this.#embedder()).embedDocuments(documents);
  }

  async embedQuery(document: string): Promise<number[]> {
    return (await this.#embedder()).embedQuery(document);
  }

  #embedder(): Promise<Embeddings> {
    this.#resolved ??= this.#resolve();
    return this.#resolved;
  }
}
