import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FactScope } from "@governor/memory";
import { scopeKey } from "@governor/memory";
import { estimateTokens } from "@governor/models";
import type { Embeddings } from "@langchain/core/embeddings";
import type { RecalledContext } from "./governed-memory.js";

/** The append-only baseline: every statement stored verbatim, the top-k most similar given to the model. */
export interface NaiveMemory {
  add(scope: FactScope, line: string): Promise<void>;
  context(scope: FactScope, question: string): Promise<RecalledContext>;
}

const HEADER = "Relevant memories:";

/**
 * Mem0 as it is used without Governor: `add(text, { infer: false, userId })` of each statement
 * (no reconciliation: a newer rule is stored beside the older one, upstream mem0 #5867) and
 * `search(question, { topK })` in the partition. One Mem0 `Memory` per partition, the layout
 * Governor's index uses too, so neither side pays for other partitions' rows (Mem0's `memory`
 * vector store reads every row of its file on each search). Offline: the given embedder, the
 * SQLite `memory` vector store in memory, history off; telemetry is switched off and Mem0's
 * directory pointed at a temporary one before `mem0ai/oss` is first imported.
 */
export async function openNaiveMemory(
  embeddings: Embeddings & { readonly dimension: number },
  topK: number,
): Promise<NaiveMemory> {
  process.env.MEM0_TELEMETRY = "false";
  if (!process.env.MEM0_DIR) {
    const dir = mkdtempSync(join(tmpdir(), "governor-bench-mem0-"));
    process.env.MEM0_DIR = dir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const { Memory } = await import("mem0ai/oss");
  const partitions = new Map<string, InstanceType<typeof Memory>>();
  const partition = (scope: FactScope) => {
    const key = scopeKey(scope);
    let memory = partitions.get(key);
    if (!memory) {
      memory = new Memory({
        embedder: { provider: "langchain", config: { model: embeddings } },
        vectorStore: { provider: "memory", config: { dimension: embeddings.dimension, dbPath: ":memory:" } },
        // Never called: `infer: false` stores the text without the LLM. Answering would be a bug, so it throws.
        llm: {
          provider: "langchain",
          config: {
            model: {
              invoke: async () => {
                throw new Error("the naive baseline writes with infer: false; Mem0 must not call its LLM");
              },
            },
          },
        },
        historyStore: { provider: "memory", config: {} },
        disableHistory: true,
      });
      partitions.set(key, memory);
    }
    return { memory, userId: key };
  };
  return {
    add: async (scope, line) => {
      const { memory, userId } = partition(scope);
      await memory.add(line, { infer: false, userId });
    },
    context: async (scope, question) => {
      const { memory, userId } = partition(scope);
      const { results } = await memory.search(question, { topK, filters: { user_id: userId } });
      if (results.length === 0) return { text: "", tokens: 0 };
      const text = [HEADER, ...results.map((result) => `- ${result.memory}`)].join("\n");
      return { text, tokens: estimateTokens(text) };
    },
  };
}
