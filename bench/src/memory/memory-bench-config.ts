import { count } from "../bench-config.js";

/** How much the memory benchmark does. Every count can be lowered from the environment for a quick run. */
export interface MemoryBenchConfig {
  /** Generated contradiction sequences (the issue asks for at least 500). */
  readonly sequences: number;
  /** Seed of the sequence generator: the same seed, the same statements and questions. */
  readonly seed: number;
  /** How many memories the naive append-only baseline puts in the context (Mem0 `search` topK). */
  readonly topK: number;
  /** Stored facts for the retrieval-latency runs. */
  readonly scales: readonly number[];
  /** Timed `buildMemoryContext` calls by exact key per scale (after `warmup` untimed ones). */
  readonly samples: number;
  /** Timed calls per scale of the variants that search the Mem0 index (slower, so fewer). */
  readonly searchSamples: number;
  /** Where Governor's Mem0 index keeps its vectors: `memory` (default) or `file` (as `.governor/mem0`). */
  readonly index: "memory" | "file";
  readonly warmup: number;
  /** Timed naive Mem0 searches per scale (each scans every stored vector, so fewer). */
  readonly naiveSamples: number;
  /** The largest scale the naive baseline is loaded at (its search reads every row of the partition). */
  readonly naiveMaxScale: number;
}

/**
 * Reads `BENCH_MEMORY_SEQUENCES` (500), `BENCH_MEMORY_SEED` (8), `BENCH_MEMORY_TOPK` (5),
 * `BENCH_MEMORY_SCALES` (`10000,100000`), `BENCH_MEMORY_SAMPLES` (1000),
 * `BENCH_MEMORY_SEARCH_SAMPLES` (200), `BENCH_MEMORY_WARMUP` (20), `BENCH_MEMORY_NAIVE_SAMPLES`
 * (50), `BENCH_MEMORY_NAIVE_MAX_SCALE` (100000) and `BENCH_MEMORY_INDEX` (`memory` or `file`).
 *
 * @throws {RangeError} when a count is not a positive integer (warm-up and seed: ≥ 0), or the
 *   index is neither memory nor file.
 * @example
 * BENCH_MEMORY_SEQUENCES=100 BENCH_MEMORY_SCALES=10000 node bench/dist/memory-main.js   # a quick smoke run
 */
export function memoryBenchConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): MemoryBenchConfig {
  const scales = (env.BENCH_MEMORY_SCALES || "10000,100000")
    .split(",")
    .map((raw, i) => count({ [`BENCH_MEMORY_SCALES[${i}]`]: raw.trim() }, `BENCH_MEMORY_SCALES[${i}]`, 0));
  const index = env.BENCH_MEMORY_INDEX || "memory";
  if (index !== "memory" && index !== "file")
    throw new RangeError(`BENCH_MEMORY_INDEX must be memory or file, got "${index}"`);
  return {
    sequences: count(env, "BENCH_MEMORY_SEQUENCES", 500),
    seed: count(env, "BENCH_MEMORY_SEED", 8, 0),
    topK: count(env, "BENCH_MEMORY_TOPK", 5),
    scales,
    samples: count(env, "BENCH_MEMORY_SAMPLES", 1000),
    searchSamples: count(env, "BENCH_MEMORY_SEARCH_SAMPLES", 200),
    index,
    warmup: count(env, "BENCH_MEMORY_WARMUP", 20, 0),
    naiveSamples: count(env, "BENCH_MEMORY_NAIVE_SAMPLES", 50),
    naiveMaxScale: count(env, "BENCH_MEMORY_NAIVE_MAX_SCALE", 100_000, 0),
  };
}
