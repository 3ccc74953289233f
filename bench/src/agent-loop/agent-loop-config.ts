import { count } from "../bench-config.js";

/** How long the agent-loop benchmark runs: one run is ~20 graph steps or more, so fewer runs than the refund bench. */
export interface AgentLoopConfig {
  readonly warmup: number;
  readonly runs: number;
  readonly batches: number;
}

/**
 * Reads `BENCH_AGENT_WARMUP`, `BENCH_AGENT_RUNS` and `BENCH_AGENT_BATCHES`.
 *
 * @throws {RangeError} when one is set to anything but a positive integer (warm-up: ≥ 0).
 * @example
 * BENCH_AGENT_RUNS=20 BENCH_AGENT_BATCHES=4 node bench/dist/agent-loop-main.js   # a quick smoke run
 */
export function agentLoopConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AgentLoopConfig {
  const runs = count(env, "BENCH_AGENT_RUNS", 200);
  return {
    warmup: count(env, "BENCH_AGENT_WARMUP", 10, 0),
    runs,
    batches: Math.min(count(env, "BENCH_AGENT_BATCHES", 20), runs),
  };
}
