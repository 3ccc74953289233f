import { count } from "../bench-config.js";

export interface TracingBenchConfig {
  /** Timed refunds per variant (`BENCH_TRACING_RUNS`, default 150; 0 skips the suite). */
  readonly runs: number;
  /** Timed agent loops per variant (`BENCH_TRACING_LOOP_RUNS`, default 30: a loop is ten refunds' work). */
  readonly loopRuns: number;
  /** Alternating batches the runs are split into (`BENCH_TRACING_BATCHES`, default 10). */
  readonly batches: number;
  /** Untimed runs per variant first (`BENCH_TRACING_WARMUP`, default 10). */
  readonly warmup: number;
}

export function tracingBenchConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TracingBenchConfig {
  const runs = count(env, "BENCH_TRACING_RUNS", 150, 0);
  return {
    runs,
    loopRuns: count(env, "BENCH_TRACING_LOOP_RUNS", 30),
    batches: Math.max(1, Math.min(count(env, "BENCH_TRACING_BATCHES", 10), runs)),
    warmup: count(env, "BENCH_TRACING_WARMUP", 10, 0),
  };
}
