import { performance } from "node:perf_hooks";
import {
  type ExportCounts,
  startTracing,
  type TracingHandle,
  tracingConfigFromEnv,
} from "@governor/observability";
import { scratchDir } from "../scratch-dir.js";
import { quantile } from "../stats.js";
import { refusingUrl, type SinkStats, startSink } from "./otlp-sink.js";
import type { TracingBenchConfig } from "./tracing-bench-config.js";
import { agentLoopWorkload, refundWorkload, type TracingWorkload } from "./tracing-workloads.js";

/** The goal: a traced run costs at most this much more than an untraced one. */
export const TRACING_GOAL_RATIO = 1.1;

/** How long a batch's final flush may take (the CLI's default is the export timeout, 5 s). */
const FLUSH_BOUND_MS = 2_000;

/** off: no tracing registered; on: Langfuse export to a live local endpoint; dead: to a port that refuses connections. */
export type TracingVariant = "off" | "on" | "dead";
const VARIANTS: readonly TracingVariant[] = ["off", "on", "dead"];

export interface TracingVariantResult {
  readonly variant: TracingVariant;
  readonly runs: number;
  /** Mean per run: CPU of the runs and of each batch's flush of its spans (none when off); wall of the runs. */
  readonly perRun: { readonly cpuMs: number; readonly wallMs: number };
  /** Median of the runs alone (a run's own time, as its caller waits for it). */
  readonly median: { readonly cpuMs: number; readonly wallMs: number };
  /** The flushes after each batch, in total. */
  readonly flush: { readonly cpuMs: number; readonly wallMs: number };
  /** What the exporter reported over every batch. */
  readonly exported: number;
  readonly failed: number;
  readonly dropped: number;
}

export interface TracingWorkloadResult {
  readonly workload: string;
  readonly variants: Readonly<Record<TracingVariant, TracingVariantResult>>;
  /** on / off and dead / off, per run (CPU with the flushes, wall of the runs). */
  readonly ratio: {
    readonly on: { readonly cpu: number; readonly wall: number };
    readonly dead: { readonly cpu: number; readonly wall: number };
  };
  /** What the local endpoint received from the "on" batches. */
  readonly received: SinkStats;
  readonly meetsGoal: boolean;
}

export interface TracingBenchResult {
  readonly config: TracingBenchConfig;
  readonly refund: TracingWorkloadResult;
  readonly agentLoop: TracingWorkloadResult;
}

/**
 * Tracing off, on, and on with a dead exporter, for the refund through `GovernorRuntime.start`
 * and for the 10-turn agent loop, in one process: batches of runs alternate between the three
 * (rotating which goes first), each traced batch with a pipeline started before it and shut
 * down (flushed, bounded) after it, the flush's CPU counted in its runs' cost. The endpoint is a local HTTP server in
 * a child process (`startSink`), so receiving spans costs this process nothing a real collector
 * would not; the dead exporter points at a port where nothing listens.
 *
 * @throws {Error} when a run fails or does less than it should, when the live endpoint got no
 * spans, or when the dead exporter's spans were reported as delivered.
 */
export async function measureTracing(config: TracingBenchConfig): Promise<TracingBenchResult> {
  const dir = scratchDir("tracing");
  const sink = await startSink();
  const dead = await refusingUrl();
  try {
    const settings = {
      on: langfuseAt(sink.url),
      dead: langfuseAt(dead),
    };
    const refund = await measureWorkload(refundWorkload(dir.path), config.runs, config, settings, sink.stats);
    const agentLoop = await measureWorkload(
      agentLoopWorkload(dir.path),
      config.loopRuns,
      config,
      settings,
      sink.stats,
    );
    return { config, refund, agentLoop };
  } finally {
    await sink.close();
    dir.dispose();
  }
}

function langfuseAt(baseUrl: string) {
  return tracingConfigFromEnv({
    LANGFUSE_PUBLIC_KEY: "pk-lf-bench",
    LANGFUSE_SECRET_KEY: "sk-lf-bench",
    LANGFUSE_BASE_URL: baseUrl,
    // A dead endpoint fails each export at once (connection refused); the bound only matters for a hanging one.
    LANGFUSE_TIMEOUT: "2000",
  });
}

interface Samples {
  readonly wall: number[];
  readonly cpu: number[];
  flushWall: number;
  flushCpu: number;
  exported: number;
  failed: number;
  dropped: number;
}

async function measureWorkload(
  workload: TracingWorkload,
  timedRuns: number,
  config: TracingBenchConfig,
  settings: Record<Exclude<TracingVariant, "off">, ReturnType<typeof tracingConfigFromEnv>>,
  receivedSoFar: () => Promise<SinkStats>,
): Promise<TracingWorkloadResult> {
  const samples = Object.fromEntries(
    VARIANTS.map((variant) => [
      variant,
      { wall: [], cpu: [], flushWall: 0, flushCpu: 0, exported: 0, failed: 0, dropped: 0 } as Samples,
    ]),
  ) as Record<TracingVariant, Samples>;
  const before = await receivedSoFar();
  let runs = 0;
  let thread = 0;
  const batches = Math.min(config.batches, timedRuns);
  const perBatch = Math.max(1, Math.floor(timedRuns / batches));
  try {
    // Batch -1 is the warm-up: every variant once, untimed.
    for (let batch = -1; batch < batches; batch++) {
      const order = VARIANTS.map(
        (_, i) => VARIANTS[(i + Math.max(batch, 0)) % VARIANTS.length] as TracingVariant,
      );
      for (const variant of order) {
        const handle = variant === "off" ? undefined : await startTracing({ config: settings[variant] });
        const target = samples[variant];
        const count = batch < 0 ? config.warmup : perBatch;
        for (let i = 0; i < count; i++) {
          const cpu = process.cpuUsage();
          const start = performance.now();
          // Thread ids name the workload: a run's trace id derives from its thread id.
          await workload.run(`tracing-${workload.name.split(" ")[0]}-${variant}-${thread++}`);
          const used = process.cpuUsage(cpu);
          runs++;
          if (batch >= 0) {
            target.wall.push(performance.now() - start);
            target.cpu.push((used.user + used.system) / 1000);
          }
        }
        if (handle) await finishBatch(handle, target, batch >= 0);
      }
    }
    const problems = workload.check(runs);
    if (problems.length) throw new Error(`tracing bench: ${workload.name}: ${problems.join("; ")}`);
  } finally {
    workload.close();
  }
  const after = await receivedSoFar();
  const received: SinkStats = {
    ...after,
    requests: after.requests - before.requests,
    spans: after.spans - before.spans,
    traces: after.traces - before.traces,
  };
  const variants = Object.fromEntries(
    VARIANTS.map((variant) => [variant, summarize(variant, samples[variant])]),
  ) as Record<TracingVariant, TracingVariantResult>;
  check(workload.name, variants, received);
  const ratioOf = (variant: TracingVariant) => ({
    cpu: variants[variant].perRun.cpuMs / variants.off.perRun.cpuMs,
    wall: variants[variant].perRun.wallMs / variants.off.perRun.wallMs,
  });
  const ratio = { on: ratioOf("on"), dead: ratioOf("dead") };
  return {
    workload: workload.name,
    variants,
    ratio,
    received,
    meetsGoal: ratio.on.cpu <= TRACING_GOAL_RATIO && ratio.dead.cpu <= TRACING_GOAL_RATIO,
  };
}

/**
 * Flushes the batch's spans and stops the pipeline, bounded as the CLI bounds it at exit. Its
 * CPU is counted in the runs' cost (exporting is tracing's work); its wall is kept apart: a
 * run's caller does not wait for it, and against a dead endpoint it is the bound itself.
 */
async function finishBatch(handle: TracingHandle, target: Samples, timed: boolean): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await handle.shutdown({ timeoutMs: FLUSH_BOUND_MS });
  const used = process.cpuUsage(cpu);
  if (!timed) return;
  target.flushWall += performance.now() - start;
  target.flushCpu += (used.user + used.system) / 1000;
  const counts: ExportCounts = report;
  target.exported += counts.exported;
  target.failed += counts.failed;
  target.dropped += counts.dropped;
}

function summarize(variant: TracingVariant, samples: Samples): TracingVariantResult {
  const runs = samples.wall.length;
  const total = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);
  const median = (values: readonly number[]) =>
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  return {
    variant,
    runs,
    perRun: {
      cpuMs: (total(samples.cpu) + samples.flushCpu) / runs,
      wallMs: total(samples.wall) / runs,
    },
    median: { cpuMs: median(samples.cpu), wallMs: median(samples.wall) },
    flush: { cpuMs: samples.flushCpu, wallMs: samples.flushWall },
    exported: samples.exported,
    failed: samples.failed,
    dropped: samples.dropped,
  };
}

/** Tracing was really on where it should be, and the dead exporter's spans were not counted as delivered. */
function check(
  name: string,
  variants: Record<TracingVariant, TracingVariantResult>,
  received: SinkStats,
): void {
  const { on, dead } = variants;
  if (on.exported === 0 || received.spans === 0)
    throw new Error(`tracing bench: ${name}: tracing on exported nothing (${JSON.stringify(received)})`);
  if (!received.basicAuth || !received.paths.every((path) => path === "/api/public/otel/v1/traces"))
    throw new Error(
      `tracing bench: ${name}: spans arrived without Langfuse's path or auth: ${received.paths}`,
    );
  if (dead.exported > 0 || dead.failed + dead.dropped === 0)
    throw new Error(
      `tracing bench: ${name}: the dead exporter reported ${dead.exported} spans delivered, ${dead.failed} failed, ${dead.dropped} dropped`,
    );
}
