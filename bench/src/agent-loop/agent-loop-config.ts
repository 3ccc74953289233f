import { count } from "../bench-config.js";
import type { LoopPolicyKind } from "./loop-policy.js";

/** How long the agent-loop benchmark runs: one run is ~20 graph steps or more, so fewer runs than the refund bench. */
export interface AgentLoopConfig {
  readonly warmup: number;
  readonly runs: number;
  readonly batches: number;
  /** The governed loop's policy engine. */
  readonly policy: LoopPolicyKind;
  /** Also time the governed loop with :memory: journals and with the other policy engine. */
  readonly breakdown: boolean;
}

/**
 * Reads `BENCH_AGENT_WARMUP`, `BENCH_AGENT_RUNS`, `BENCH_AGENT_BATCHES`, `BENCH_AGENT_POLICY`
 * (`cedar`, the default, or `rules`) and `BENCH_AGENT_BREAKDOWN` (`1` adds two governed variants).
 *
 * @throws {RangeError} when a count is set to anything but a positive integer (warm-up: ≥ 0), or
 *   the policy to anything but cedar or rules.
 * @example
 * BENCH_AGENT_RUNS=20 BENCH_AGENT_BATCHES=4 node bench/dist/agent-loop-main.js   # a quick smoke run
 */
export function agentLoopConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AgentLoopConfig {
  const runs = count(env, "BENCH_AGENT_RUNS", 200);
  const policy = env.BENCH_AGENT_POLICY || "cedar";
  if (policy !== "cedar" && policy !== "rules")
    throw new RangeError(`BENCH_AGENT_POLICY must be cedar or rules, got "${policy}"`);
  return {
    warmup: count(env, "BENCH_AGENT_WARMUP", 10, 0),
    runs,
    batches: Math.min(count(env, "BENCH_AGENT_BATCHES", 20), runs),
    policy,
    breakdown: env.BENCH_AGENT_BREAKDOWN === "1" || env.BENCH_AGENT_BREAKDOWN === "true",
  };
}
