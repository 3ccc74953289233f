import { count } from "../bench-config.js";
import type { WorkloadName } from "./load-workload.js";
import type { ModelLatency } from "./simulated-latency-model.js";

/** What the load bench runs: which workloads, how many sessions, on which backends, with how many workers. */
export interface LoadConfig {
  readonly workloads: readonly WorkloadName[];
  /** Refund sessions per load (10,000: the scale). */
  readonly sessions: number;
  /** Agent-loop sessions per load: each is 11 model calls and 20 governed calls, ~10× a refund's CPU. */
  readonly loopSessions: number;
  readonly backends: readonly ("sqlite" | "postgres")[];
  /** Worker process counts to run the PostgreSQL load with. */
  readonly workers: readonly number[];
  /** Jobs each worker runs at once (BullMQ concurrency; at most 1000). */
  readonly workerConcurrency: number;
  /** Starts spread over this many ms (0: every session at once). */
  readonly rampMs: number;
  readonly latency: ModelLatency;
  /** Every n-th refund session waits for a supervisor (0: none). */
  readonly waitingEvery: number;
  /**
   * A paced SQLite load beside the burst: refund sessions started at this many a second (the
   * agent loop at a tenth of it) for `pacedSeconds`, so the CPU is not saturated and a turn's
   * time is Governor's, not the queue's. 0 skips it.
   */
  readonly pacedRate: number;
  readonly pacedSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the load bench's settings from the environment, then from flags (flags win):
 * `--sessions N`, `--loop-sessions N`, `--workloads refund,agent-loop`, `--backends sqlite,postgres`,
 * `--workers 1,2,4`, `--concurrency N`, `--ramp-ms N`, `--seed N`, `--waiting-every N`,
 * `--paced-rate N` (0 skips the paced load), `--paced-seconds N`.
 * The environment's names are BENCH_LOAD_ and the flag in capitals (BENCH_LOAD_SESSIONS…).
 *
 * @throws {RangeError} naming the setting that is not a count or not one of its choices.
 * @example
 * node bench/dist/load/load-main.js --sessions 1000 --workloads refund --backends sqlite   # a quick run
 */
export function loadConfig(env: Env = process.env, argv: readonly string[] = []): LoadConfig {
  const settings: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string?];
    if (!flag.startsWith("--"))
      throw new RangeError(`unexpected argument "${arg}": see load-config.ts for the flags`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new RangeError(`${flag} needs a value`);
    settings[`BENCH_LOAD_${flag.slice(2).toUpperCase().replaceAll("-", "_")}`] = value;
  }
  const known = new Set([
    "SESSIONS",
    "LOOP_SESSIONS",
    "WORKLOADS",
    "BACKENDS",
    "WORKERS",
    "CONCURRENCY",
    "RAMP_MS",
    "SEED",
    "WAITING_EVERY",
    "MODEL_MIN_MS",
    "MODEL_MAX_MS",
    "PACED_RATE",
    "PACED_SECONDS",
  ]);
  for (const name of Object.keys(settings))
    if (name.startsWith("BENCH_LOAD_") && !known.has(name.slice(11)))
      throw new RangeError(
        `unknown setting ${name} (--${name.slice(11).toLowerCase().replaceAll("_", "-")})`,
      );
  const minMs = count(settings, "BENCH_LOAD_MODEL_MIN_MS", 200, 0);
  const maxMs = count(settings, "BENCH_LOAD_MODEL_MAX_MS", 300, minMs);
  return {
    workloads: choices(settings, "BENCH_LOAD_WORKLOADS", ["refund", "agent-loop"] as const),
    sessions: count(settings, "BENCH_LOAD_SESSIONS", 10_000),
    loopSessions: count(settings, "BENCH_LOAD_LOOP_SESSIONS", 1_000),
    backends: choices(settings, "BENCH_LOAD_BACKENDS", ["sqlite", "postgres"] as const),
    workers: (settings.BENCH_LOAD_WORKERS || "1,2,4").split(",").map((raw) => {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1)
        throw new RangeError(`BENCH_LOAD_WORKERS: "${raw}" is not a count ≥ 1`);
      return n;
    }),
    workerConcurrency: Math.min(count(settings, "BENCH_LOAD_CONCURRENCY", 1_000), 1_000),
    rampMs: count(settings, "BENCH_LOAD_RAMP_MS", 0, 0),
    latency: { minMs, maxMs, seed: count(settings, "BENCH_LOAD_SEED", 11, 0) },
    waitingEvery: count(settings, "BENCH_LOAD_WAITING_EVERY", 10, 0),
    pacedRate: count(settings, "BENCH_LOAD_PACED_RATE", 10, 0),
    pacedSeconds: count(settings, "BENCH_LOAD_PACED_SECONDS", 60),
  };
}

function choices<T extends string>(env: Env, name: string, all: readonly T[]): T[] {
  const raw = env[name];
  if (!raw) return [...all];
  return raw.split(",").map((value) => {
    if (!all.includes(value as T))
      throw new RangeError(`${name}: "${value}" is not one of ${all.join(", ")}`);
    return value as T;
  });
}
