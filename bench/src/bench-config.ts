/** How long the benchmark runs. Every count can be overridden from the environment for a quick run. */
export interface BenchConfig {
  /** Untimed runs of each variant before measuring, so the JIT and SQLite caches settle. */
  readonly warmup: number;
  /** Timed runs of each variant in total. */
  readonly runs: number;
  /** The timed runs are split into this many alternating batches, so machine noise hits every variant alike. */
  readonly batches: number;
  /** Also measure where the governed run's extra time goes (five more variants; `BENCH_BREAKDOWN=0` skips it). */
  readonly breakdown: boolean;
}

/**
 * Reads `BENCH_WARMUP`, `BENCH_RUNS`, `BENCH_BATCHES` and `BENCH_BREAKDOWN`.
 *
 * @example
 * BENCH_RUNS=40 BENCH_BATCHES=4 BENCH_WARMUP=5 BENCH_BREAKDOWN=0 npm run bench   # a quick smoke run
 */
export function benchConfig(env: Readonly<Record<string, string | undefined>> = process.env): BenchConfig {
  const runs = count(env, "BENCH_RUNS", 500);
  return {
    warmup: count(env, "BENCH_WARMUP", 30, 0),
    runs,
    batches: Math.min(count(env, "BENCH_BATCHES", 20), runs),
    breakdown: env.BENCH_BREAKDOWN !== "0" && env.BENCH_BREAKDOWN !== "false",
  };
}

/** An integer count from the environment, or `fallback` when unset. */
export function count(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min = 1,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}
