import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { count } from "../bench-config.js";
import { quantile } from "../stats.js";

/** The goal: `governor run refund`, the whole process, in at most this much CPU. */
export const COLD_START_GOAL_CPU_S = 1.0;

export interface ColdStartConfig {
  /** Timed processes of each kind, alternating (`BENCH_COLD_RUNS`, default 5; 0 skips), after one untimed pair. */
  readonly runs: number;
}

export function coldStartConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ColdStartConfig {
  return { runs: count(env, "BENCH_COLD_RUNS", 5, 0) };
}

/** Medians over the processes of one kind. */
export interface ProcessCost {
  readonly command: string;
  readonly runs: number;
  /** The child's own user + system CPU, in seconds (Node's boot included). */
  readonly cpuMedianS: number;
  /** From spawn to exit, as the parent saw it, in seconds. */
  readonly wallMedianS: number;
  readonly maxRssMedianMb: number;
}

export interface ColdStartResult {
  readonly config: ColdStartConfig;
  readonly governor: ProcessCost;
  readonly bare: ProcessCost;
  /** governor / bare: CPU and wall medians. */
  readonly ratio: { readonly cpu: number; readonly wall: number };
  readonly meetsGoal: boolean;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const PRELOAD = new URL("./report-usage.js", import.meta.url).href;
/** The built CLI's bin (apps/cli/package.json "bin": governor → bin/governor.js, which loads dist/main.js). */
const GOVERNOR_BIN = here("../../../apps/cli/bin/governor.js");
const BARE = here("./bare-langgraph.js");

interface Sample {
  readonly cpuS: number;
  readonly wallS: number;
  readonly maxRssMb: number;
}

/**
 * A whole `governor run refund --no-interactive` process (every case of the refund sample,
 * offline, on a fresh GOVERNOR_DIR each time) against a node process that only imports
 * @langchain/langgraph and runs a trivial graph; children alternate, CPU read by the child
 * itself at exit (see report-usage.ts).
 *
 * @throws {Error} when a child fails, or the governor run did not complete the small refund.
 */
export function measureColdStart(config: ColdStartConfig): ColdStartResult {
  const governorArgs = [GOVERNOR_BIN, "run", "refund", "--no-interactive"];
  const samples = { governor: [] as Sample[], bare: [] as Sample[] };
  for (let i = 0; i <= config.runs; i++) {
    const order = i % 2 === 0 ? (["governor", "bare"] as const) : (["bare", "governor"] as const);
    for (const kind of order) {
      const sample =
        kind === "governor"
          ? spawnMeasured(governorArgs, (stdout) => stdout.includes("Done: refund"))
          : spawnMeasured([BARE], (stdout) => stdout.includes("Done: refund"));
      // Pair 0 warms the file cache and is not counted.
      if (i > 0) samples[kind].push(sample);
    }
  }
  const governor = summarizeProcess("governor run refund --no-interactive", samples.governor);
  const bare = summarizeProcess("node: import @langchain/langgraph, run a 2-node graph", samples.bare);
  return {
    config,
    governor,
    bare,
    ratio: { cpu: governor.cpuMedianS / bare.cpuMedianS, wall: governor.wallMedianS / bare.wallMedianS },
    meetsGoal: governor.cpuMedianS <= COLD_START_GOAL_CPU_S,
  };
}

function spawnMeasured(args: readonly string[], succeeded: (stdout: string) => boolean): Sample {
  const dir = mkdtempSync(join(tmpdir(), "governor-bench-cold-"));
  const usageFile = join(dir, "usage.json");
  try {
    const start = performance.now();
    const child = spawnSync(process.execPath, ["--import", PRELOAD, ...args], {
      cwd: dir,
      env: { ...process.env, GOVERNOR_DIR: join(dir, "store"), BENCH_USAGE_FILE: usageFile, NO_COLOR: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallS = (performance.now() - start) / 1000;
    if (child.status !== 0 || !succeeded(child.stdout))
      throw new Error(
        `cold start: \`node ${args.join(" ")}\` exited ${child.status ?? child.signal}: ${(child.stderr || child.stdout).slice(-2000)}`,
      );
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as {
      userMs: number;
      systemMs: number;
      maxRssMb: number;
    };
    return { cpuS: (usage.userMs + usage.systemMs) / 1000, wallS, maxRssMb: usage.maxRssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarizeProcess(command: string, samples: readonly Sample[]): ProcessCost {
  const median = (pick: (s: Sample) => number) =>
    quantile(
      samples.map(pick).sort((a, b) => a - b),
      0.5,
    );
  return {
    command,
    runs: samples.length,
    cpuMedianS: median((s) => s.cpuS),
    wallMedianS: median((s) => s.wallS),
    maxRssMedianMb: median((s) => s.maxRssMb),
  };
}
