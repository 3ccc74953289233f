import type { FigureRow } from "../figures/figure-row.js";
import { skipped } from "../figures/figure-rows.js";
import {
  TRACING_GOAL_RATIO,
  type TracingBenchResult,
  type TracingVariantResult,
  type TracingWorkloadResult,
} from "./measure-tracing.js";

const LABELS = {
  off: "tracing off",
  on: "on (Langfuse, local endpoint)",
  dead: "on, dead exporter (refused)",
} as const;

function variantLine(result: TracingVariantResult, off: TracingVariantResult): string {
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
  const spans =
    result.variant === "off"
      ? ""
      : `  spans: ${result.exported} exported, ${result.failed} failed, ${result.dropped} dropped; flushes ${(result.flush.wallMs / 1000).toFixed(1)} s wall in all`;
  return `  ${LABELS[result.variant].padEnd(30)} ${result.perRun.cpuMs.toFixed(2).padStart(8)} ms CPU ${ratio(result.perRun.cpuMs, off.perRun.cpuMs).padStart(6)}  ${result.perRun.wallMs.toFixed(2).padStart(8)} ms wall ${ratio(result.perRun.wallMs, off.perRun.wallMs).padStart(6)}  (median run ${result.median.cpuMs.toFixed(2)} ms CPU, ${result.median.wallMs.toFixed(2)} ms wall)${spans}`;
}

function workloadLines(result: TracingWorkloadResult): string[] {
  const { off, on, dead } = result.variants;
  return [
    `${result.workload}: ${off.runs} timed runs per variant (mean per run: CPU with each batch's flush, wall of the runs)`,
    variantLine(off, off),
    variantLine(on, off),
    variantLine(dead, off),
    `  received: ${result.received.spans} spans in ${result.received.requests} requests, ${result.received.traces} traces (${result.received.names.join(", ")})`,
  ];
}

/** The suite's own table: each workload, each variant, per run and against tracing off. */
export function formatTracing(result: TracingBenchResult): string {
  return [...workloadLines(result.refund), "", ...workloadLines(result.agentLoop)].join("\n");
}

/** The table's rows: tracing on against off, per workload (the dead exporter in the note). */
export function tracingRows(result: TracingBenchResult | undefined): FigureRow[] {
  const rows: [string, string, TracingWorkloadResult | undefined][] = [
    ["tracing-refund", "refund with tracing on (Langfuse)", result?.refund],
    ["tracing-agent-loop", "agent loop with tracing on (Langfuse)", result?.agentLoop],
  ];
  return rows.map(([id, figure, workload]) => {
    if (!workload) return skipped(id, figure, "skipped (BENCH_TRACING_RUNS=0)");
    const { off, on, dead } = workload.variants;
    return {
      id,
      figure,
      unit: "ms",
      wall: on.perRun.wallMs,
      cpu: on.perRun.cpuMs,
      baseline: { label: "tracing off", wall: off.perRun.wallMs, cpu: off.perRun.cpuMs },
      ratio: workload.ratio.on,
      goal: { text: `CPU ≤ ${TRACING_GOAL_RATIO}× (dead exporter too)`, pass: workload.meetsGoal },
      headline: "ratio.cpu",
      note: `mean per run (CPU with the flushes, wall of the runs), ${on.runs} runs per variant; dead exporter ${workload.ratio.dead.cpu.toFixed(2)}× CPU, ${workload.ratio.dead.wall.toFixed(2)}× wall (${dead.failed + dead.dropped} spans failed or dropped, every run completed); ${workload.received.spans} spans received`,
    };
  });
}
