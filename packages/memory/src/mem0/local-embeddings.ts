import { GovernorError } from "@governor/errors";
import { Embeddings } from "@langchain/core/embeddings";

/** Weight of a whole word against one of its character trigrams: words carry the meaning, trigrams catch inflections. */
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;

/**
 * A deterministic, offline text embedder: hashed word unigrams plus character trigrams,
 * lower-cased, signed into `dimension` buckets and L2-normalized, so sentences that share words
 * or word stems ("carrier for zone B" / "zone B carriers") get a high cosine.
 *
 * Hand-written on purpose: every offline embedder package available here (transformers.js,
 * fastembed, ONNX models) downloads its weights on first use, which this machine and an
 * air-gapped deployment cannot do. This needs nothing but the text, gives the same vector on
 * every machine, and is good enough to rank a partition's keys; set `OPENAI_API_KEY` for real
 * embeddings (see `embeddingsFromEnv`).
 */
export class LocalEmbeddings extends Embeddings {
  readonly dimension: number;

  /** @throws {GovernorError} CONFIG_INVALID when `dimension` is not an integer from 8 to 4096. */
  constructor(dimension = 256) {
    super({});
    if (!Number.isInteger(dimension) || dimension < 8 || dimension > 4096) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `local embeddings dimension must be an integer from 8 to 4096: got ${String(dimension)}`,
        { dimension },
      );
    }
    this.dimension = dimension;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((document) => this.embed(document));
  }

  async embedQuery(document: string): Promise<number[]> {
    return this.embed(document);
  }

  /**
   * The vector of one text. A text with no letters or digits is the zero vector: it is similar
   * to nothing (Mem0's cosine of it is NaN, which no threshold passes).
   */
  embed(text: string): number[] {
    const vector = new Float64Array(this.dimension);
    for (const word of words(text)) {
      this.#add(vector, `w:${word}`, WORD_WEIGHT);
      const padded = ` ${word} `;
      for (let i = 0; i + 3 <= padded.length; i++)
        this.#add(vector, `c:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
    }
    let norm = 0;
    for (const x of vector) norm += x * x;
    norm = Math.sqrt(norm);
    return Array.from(vector, (x) => (norm === 0 ? 0 : Math.fround(x / norm)));
  }

  #add(vector: Float64Array, feature: string, weight: number): void {
    const hash = fnv1a(feature);
    // The sign comes from a bit the bucket does not use, so two features colliding in one
    // bucket cancel as often as they add: the dot product stays an unbiased overlap estimate.
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[hash % this.dimension] = (vector[hash % this.dimension] ?? 0) + sign * weight;
  }
}

/** A {@link LocalEmbeddings} of `dimension` (default 256). @throws {GovernorError} CONFIG_INVALID. */
export function localEmbeddings(dimension = 256): LocalEmbeddings {
  return new LocalEmbeddings(dimension);
}

/** Lower-cased runs of letters and digits (any script), NFKC-folded so "Ｘ" and "X" are one word. */
function words(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
