import { dirname, join } from "node:path";
import { type FactIndex, LocalEmbeddings, Mem0FactIndex } from "@governor/memory";
import { scratchDir } from "../scratch-dir.js";
import { generateSequences } from "./fact-sequences.js";
import { openGovernedMemory } from "./governed-memory.js";
import {
  type ContradictionResult,
  type ContradictionScore,
  measureContradictions,
} from "./measure-contradictions.js";
import { measureRetrieval, type ScaleResult } from "./measure-retrieval.js";
import type { MemoryBenchConfig } from "./memory-bench-config.js";
import { openNaiveMemory } from "./naive-memory.js";

/** The goals for memory. */
export interface MemoryGoals {
  /** No Governor context held a superseded, retracted or overruled value. */
  readonly noStaleFacts: boolean;
  /** Current-fact recall ≥ 99% for the exact key and for the key plus a search. */
  readonly recall: boolean;
  /** The exact key's context takes ≥ 60% fewer prompt tokens than the sequence's full history. */
  readonly tokens: boolean;
  /** Retrieval p50 ≤ 5 ms at 100,000 facts by exact key; undefined when that scale was not run. */
  readonly latencyExact: boolean | undefined;
  /** The same with a semantic query (exact key plus Mem0 search). */
  readonly latencySearch: boolean | undefined;
}

export interface MemoryBenchResult {
  readonly embedder: string;
  /** Where Governor's Mem0 index kept its vectors. */
  readonly index: "memory" | "file";
  readonly contradictions: ContradictionResult;
  readonly retrieval: readonly ScaleResult[];
  readonly goals: MemoryGoals;
}

/**
 * The contradiction benchmark (stale facts, recall, tokens) on `config.sequences` generated
 * sequences, Governor and the naive append-only Mem0 memory in the same run, then the
 * retrieval latency at each scale.
 */
export async function measureMemory(config: MemoryBenchConfig): Promise<MemoryBenchResult> {
  // One embedder for both sides: Governor's Mem0 index and the naive Mem0 memory rank alike.
  const embeddings = new LocalEmbeddings(256);
  // Governor's Mem0 index: in memory by default. In file mode (as the runtime's .governor/mem0)
  // each Mem0 write syncs its SQLite files, which made loading 10,000 facts take about 15 minutes here.
  const index = async (dbPath: string): Promise<FactIndex | undefined> =>
    new Mem0FactIndex({
      dir: config.index === "file" ? join(dirname(dbPath), "mem0") : ":memory:",
      embeddings,
      // As GovernorStore opens it: cosine over the vectors Mem0 stored (Mem0's own search reads
      // and parses every row of a partition per query). BENCH_MEMORY_RANKING=mem0 measures Mem0's.
      ranking: process.env.BENCH_MEMORY_RANKING === "mem0" ? "mem0" : "cosine",
    });
  const naive = () => openNaiveMemory(embeddings, config.topK);

  const sequences = generateSequences(config.sequences, config.seed, new Date("2026-01-01T00:00:00.000Z"));
  const dir = scratchDir("memory-contradictions");
  let contradictions: ContradictionResult;
  try {
    const path = join(dir.path, "governor.db");
    const governed = openGovernedMemory(path, await index(path));
    try {
      contradictions = await measureContradictions(sequences, governed, await naive(), config.topK);
    } finally {
      governed.close();
    }
  } finally {
    dir.dispose();
  }

  progress(`contradictions: ${sequences.length} sequences measured`);
  const retrieval: ScaleResult[] = [];
  for (const scale of config.scales) {
    retrieval.push(await measureRetrieval(config, scale, { index, naive }));
    progress(`retrieval at ${scale} facts measured`);
  }

  // The variants in order: exact key, key + search, search only, then the naive baseline.
  const [exact, keyAndSearch, searchOnly] = contradictions.variants;
  const governor = [exact, keyAndSearch, searchOnly].filter((v) => v !== undefined);
  const recalls = (v: ContradictionScore | undefined) =>
    v !== undefined && v.recallHits >= 0.99 * v.recallEligible;
  const largest = retrieval.filter((r) => r.facts >= 100_000);
  return {
    embedder: `LocalEmbeddings(${embeddings.dimension}) (@governor/memory: hashed words and trigrams, offline)`,
    index: config.index,
    contradictions,
    retrieval,
    goals: {
      noStaleFacts: governor.every((v) => v.staleHits === 0 && v.overruledHits === 0),
      recall: recalls(exact) && recalls(keyAndSearch),
      tokens: exact !== undefined && exact.tokens <= 0.4 * contradictions.historyTokens,
      latencyExact: largest.length
        ? largest.every((r) => (r.variants[0]?.p50Ms ?? Number.NaN) <= 5)
        : undefined,
      latencySearch: largest.length
        ? largest.every((r) => (r.variants[1]?.p50Ms ?? Number.NaN) <= 5)
        : undefined,
    },
  };
}

/** A line on stderr while the benchmark runs (minutes on a busy machine), with wall and CPU time so far. */
function progress(what: string): void {
  const cpu = process.cpuUsage();
  process.stderr.write(
    `memory bench: ${what} (${process.uptime().toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU)\n`,
  );
}
