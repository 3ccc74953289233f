import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { SessionVariant } from "./session-load.js";

/** One variant's sessions, measured in a process of their own. */
export interface SessionMemory {
  readonly variant: SessionVariant;
  readonly sessions: number;
  readonly completed: number;
  readonly waiting: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** RSS and heap after warm-up, before the sessions start, in MB. */
  readonly baselineRssMb: number;
  readonly baselineHeapMb: number;
  /** The process's peak RSS (the OS's high-water mark) and the highest heap sampled, in MB. */
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
}

export interface SessionMemoryResult {
  readonly sessions: number;
  readonly runtime: SessionMemory;
  readonly bare: SessionMemory;
  /** Peak RSS through the runtime over bare LangGraph's. */
  readonly peakRssRatio: number;
  /** What each session adds to the peak (peak minus warm baseline, over the sessions), in KB: runtime, bare. */
  readonly runtimeKbPerSession: number;
  readonly bareKbPerSession: number;
}

const child = fileURLToPath(new URL("./session-memory-child.js", import.meta.url));

/**
 * Peak memory of `sessions` refund sessions started at once in one process, through
 * GovernorRuntime.start on a GovernorStore (half the $120 refund that completes, half the
 * $1,200 one that stops for a supervisor and stays waiting) and through bare LangGraph with
 * the same business nodes, each variant in a fresh Node process so neither inherits the
 * other's heap.
 *
 * @throws {Error} when a child process fails (a session that ended any other way included).
 */
export async function measureSessionMemory(options: {
  readonly sessions: number;
  /** Extra Node flags for the child processes, e.g. ["--max-old-space-size=4096"]. */
  readonly nodeFlags?: readonly string[];
  /** How long the scripted model takes to answer, in ms (0): above 0, every session is in flight at once. */
  readonly modelLatencyMs?: number;
  /** Governor's yield slice in the runtime's process (see setYieldSlice); its default when absent. */
  readonly yieldSliceMs?: number;
}): Promise<SessionMemoryResult> {
  const run = async (variant: SessionVariant): Promise<SessionMemory> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...(options.nodeFlags ?? []), child, variant, String(options.sessions)],
      {
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          BENCH_MODEL_LATENCY_MS: String(options.modelLatencyMs ?? 0),
          ...(options.yieldSliceMs === undefined
            ? {}
            : { BENCH_YIELD_SLICE_MS: String(options.yieldSliceMs) }),
        },
      },
    );
    const line = stdout.trim().split("\n").at(-1) ?? "";
    return JSON.parse(line) as SessionMemory;
  };
  const runtime = await run("runtime");
  const bare = await run("bare");
  const perSession = (m: SessionMemory) => ((m.peakRssMb - m.baselineRssMb) * 1024) / m.sessions;
  return {
    sessions: options.sessions,
    runtime,
    bare,
    peakRssRatio: runtime.peakRssMb / bare.peakRssMb,
    runtimeKbPerSession: perSession(runtime),
    bareKbPerSession: perSession(bare),
  };
}
