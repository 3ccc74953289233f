import { describe, expect, it } from "vitest";
import { DEFAULT_EMBEDDINGS_MODEL, embeddingsFromEnv } from "./embeddings-from-env.js";
import { LocalEmbeddings, localEmbeddings } from "./local-embeddings.js";

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

describe("LocalEmbeddings", () => {
  const embedder = localEmbeddings();

  it("gives the same unit vector for the same text, on every call and every instance", async () => {
    const [a] = await embedder.embedDocuments(["zone B carrier: Carrier X"]);
    const b = await new LocalEmbeddings(256).embedQuery("zone B carrier: Carrier X");
    expect(a).toEqual(b);
    expect(a).toHaveLength(256);
    expect(Math.sqrt(cosine(a as number[], a as number[]))).toBeCloseTo(1, 5);
  });

  it("ranks a paraphrase above an unrelated sentence", async () => {
    const fact = await embedder.embedQuery("zone B carrier: Carrier X");
    const query = await embedder.embedQuery("which carrier serves Zone B?");
    const other = await embedder.embedQuery("invoice currency for the Berlin office: EUR");
    expect(cosine(fact, query)).toBeGreaterThan(0.3);
    expect(cosine(fact, query)).toBeGreaterThan(cosine(other, query) + 0.2);
  });

  it("ignores case and width, and catches word stems through trigrams", async () => {
    expect(await embedder.embedQuery("CARRIER X")).toEqual(await embedder.embedQuery("carrier ｘ"));
    const singular = await embedder.embedQuery("courier");
    expect(cosine(singular, await embedder.embedQuery("couriers"))).toBeGreaterThan(
      cosine(singular, await embedder.embedQuery("pallets")),
    );
  });

  it("embeds a text without letters or digits as the zero vector (similar to nothing)", async () => {
    expect((await embedder.embedQuery(" ?! ")).every((x) => x === 0)).toBe(true);
  });

  it("refuses a dimension that is not an integer from 8 to 4096", () => {
    for (const dimension of [0, 7, 4097, 1.5, Number.NaN]) {
      expect(() => new LocalEmbeddings(dimension)).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID" }),
      );
    }
  });
});

describe("embeddingsFromEnv", () => {
  it("picks the local embedder when no OpenAI key is set (or it is blank)", async () => {
    expect(await embeddingsFromEnv({})).toBeInstanceOf(LocalEmbeddings);
    expect(
      await embeddingsFromEnv({ OPENAI_API_KEY: "  ", OPENAI_BASE_URL: "http://127.0.0.1:9" }),
    ).toBeInstanceOf(LocalEmbeddings);
  });

  it("picks OpenAIEmbeddings with the configured model and endpoint when a key is set", async () => {
    const embeddings = await embeddingsFromEnv({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      GOVERNOR_EMBEDDINGS_MODEL: "nomic-embed-text",
    });
    expect(embeddings.constructor.name).toBe("OpenAIEmbeddings");
    expect(embeddings).toMatchObject({ model: "nomic-embed-text" });
    expect(JSON.stringify((embeddings as unknown as { clientConfig: unknown }).clientConfig)).toContain(
      "127.0.0.1:11434",
    );
    expect(await embeddingsFromEnv({ OPENAI_API_KEY: "sk-test" })).toMatchObject({
      model: DEFAULT_EMBEDDINGS_MODEL,
    });
  });
});
