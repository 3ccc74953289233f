/**
 * `npm run bench`: every figure of issue 9 as one table (see figures/), with the suites'
 * own tables above it; `npm run bench -- all` adds the breakdown, agent-loop and memory
 * suites. Counts come from the environment (see README.md); results go to
 * bench/results/latest.json (or --out), and --compare prints the table against an earlier file.
 */
import { agentLoopConfig } from "./agent-loop/agent-loop-config.js";
import { formatAgentLoop } from "./agent-loop/agent-loop-report.js";
import { measureAgentLoop } from "./agent-loop/measure-agent-loop.js";
import { auditScaleConfig } from "./audit-scale/audit-scale-config.js";
import { auditVerifyRow, formatAuditScale } from "./audit-scale/audit-scale-report.js";
import { measureAuditScale } from "./audit-scale/measure-audit-scale.js";
import type { BenchArgs } from "./bench-args.js";
import { benchConfig, count } from "./bench-config.js";
import { measureBreakdown } from "./breakdown.js";
import { formatBreakdown } from "./breakdown-report.js";
import { coldStartConfig, measureColdStart } from "./cold-start/measure-cold-start.js";
import { measureTimerLateness } from "./concurrency/measure-timer-lateness.js";
import { measureSessionMemory } from "./concurrency/session-memory.js";
import { decisionLookupConfig, measureDecisionLookup } from "./decision-lookup.js";
import { figureRows } from "./figures/figure-rows.js";
import { formatFigures, type PreviousFigures } from "./figures/figures-table.js";
import { sessionsRow } from "./figures/sessions-row.js";
import { timerRow } from "./figures/timer-row.js";
import { formatGatewayLatency, measureGatewayLatency } from "./gateway-latency.js";
import { measureGovernanceTax } from "./governance-tax.js";
import { measureMemory } from "./memory/measure-memory.js";
import { memoryBenchConfig } from "./memory/memory-bench-config.js";
import { formatMemory } from "./memory/memory-report.js";
import { formatGovernanceTax } from "./report.js";
import { measureTracing } from "./tracing/measure-tracing.js";
import { tracingBenchConfig } from "./tracing/tracing-bench-config.js";
import { formatTracing, tracingRows } from "./tracing/tracing-report.js";
import { writeResults } from "./write-results.js";

/**
 * Runs the table's figures (and with `all`, the other suites), prints the one table (with a
 * column against `previous`, an earlier results file, when given), writes the results file.
 *
 * @throws {Error} when a measured path did not do its work (a variant that did not refund, a
 * child that failed).
 */
export async function runBench(args: BenchArgs, all: boolean, previous?: PreviousFigures): Promise<void> {
  const env = process.env;
  const config = benchConfig();
  const lookupConfig = decisionLookupConfig();
  const coldConfig = coldStartConfig();
  const gatewayCalls = count(env, "BENCH_GATEWAY_CALLS", 10_000, 0);
  const timerRuns = count(env, "BENCH_TIMER_RUNS", 1000, 0);
  const sessions = count(env, "BENCH_SESSIONS", 2000, 0);
  const started = process.cpuUsage();
  const clock = performance.now();

  let governanceTax: Awaited<ReturnType<typeof measureGovernanceTax>> | undefined;
  if (env.BENCH_TAX !== "0") {
    console.log(
      `warm-up ${config.warmup} runs, then ${config.runs} timed runs per variant in ${config.batches} alternating batches\n`,
    );
    governanceTax = await measureGovernanceTax(config);
    console.log(formatGovernanceTax(governanceTax));
  }

  let decisionLookup: Awaited<ReturnType<typeof measureDecisionLookup>> | undefined;
  if (lookupConfig.runs > 0) {
    console.log(
      `\ndecision lookup: ${lookupConfig.runs} runs each, heavy threads seeded with ${lookupConfig.records} audit records`,
    );
    decisionLookup = await measureDecisionLookup(lookupConfig);
  }

  let coldStart: ReturnType<typeof measureColdStart> | undefined;
  if (coldConfig.runs > 0) {
    console.log(`cold start: ${coldConfig.runs} processes of each kind`);
    coldStart = measureColdStart(coldConfig);
  }

  // Runs started at once against a 10 ms timer: through the runtime and in bare LangGraph.
  let timerLateness: Awaited<ReturnType<typeof measureTimerLateness>> | undefined;
  if (timerRuns > 0) {
    console.log(`timer lateness: ${timerRuns} concurrent runs, through the runtime and bare`);
    timerLateness = await measureTimerLateness({ runs: timerRuns, variants: ["runtime", "bare"] });
  }

  // Peak RSS of many sessions at once, each variant in a child process of its own.
  let sessionMemory: Awaited<ReturnType<typeof measureSessionMemory>> | undefined;
  if (sessions > 0) {
    console.log(`sessions: ${sessions} at once, through the runtime and bare, each in a fresh process`);
    // BENCH_MODEL_LATENCY_MS (0) makes the scripted model answer late, so every session is in flight at once.
    sessionMemory = await measureSessionMemory({
      sessions,
      modelLatencyMs: count(env, "BENCH_MODEL_LATENCY_MS", 0, 0),
    });
  }

  // `governor audit verify` of a 100,000-record journal, and tail cuts it must name (BENCH_AUDIT_RUNS=0 skips).
  const auditConfig = auditScaleConfig();
  let auditScale: Awaited<ReturnType<typeof measureAuditScale>> | undefined;
  if (auditConfig.runs > 0) {
    console.log(
      `\naudit scale: ${auditConfig.records} records, ${auditConfig.runs} verify processes of each kind`,
    );
    auditScale = await measureAuditScale(auditConfig);
    console.log(formatAuditScale(auditScale));
  }

  // Tracing off, on and with a dead exporter, refund and agent loop (BENCH_TRACING_RUNS=0 skips).
  const tracingConfig = tracingBenchConfig();
  let tracing: Awaited<ReturnType<typeof measureTracing>> | undefined;
  if (tracingConfig.runs > 0) {
    console.log(
      `\ntracing: ${tracingConfig.runs} refunds and ${tracingConfig.loopRuns} agent loops per variant (off, on, dead exporter)`,
    );
    tracing = await measureTracing(tracingConfig);
    console.log(formatTracing(tracing));
  }

  const suites: Record<string, unknown> = {};
  if (all && config.breakdown) {
    const breakdown = await measureBreakdown(config);
    console.log(`\n${formatBreakdown(breakdown)}`);
    suites.breakdown = breakdown;
  }

  // The agent loop (BENCH_AGENT_LOOP=0 skips it), before the gateway's 10,000 Cedar decisions (see below).
  if (all && env.BENCH_AGENT_LOOP !== "0") {
    const loopConfig = agentLoopConfig();
    console.log(
      `\nagent loop: warm-up ${loopConfig.warmup} runs, then ${loopConfig.runs} timed runs per variant in ${loopConfig.batches} alternating batches\n`,
    );
    const agentLoop = await measureAgentLoop(loopConfig);
    console.log(formatAgentLoop(agentLoop));
    suites.agentLoop = { config: loopConfig, ...agentLoop };
  }

  // Structured memory (BENCH_MEMORY=0 skips it): stale facts, recall and tokens against a naive Mem0 memory, retrieval latency.
  if (all && env.BENCH_MEMORY !== "0") {
    const memoryConfig = memoryBenchConfig();
    const memory = await measureMemory(memoryConfig);
    console.log(`\n${formatMemory(memory)}`);
    suites.memory = { config: memoryConfig, ...memory };
  }

  // Last: after 10,000 Cedar (wasm) decisions, Node 20's V8 crashed in its deoptimizer
  // (a fatal "unreachable code") while the breakdown ran in the same process.
  let gatewayLatency: Awaited<ReturnType<typeof measureGatewayLatency>> | undefined;
  if (gatewayCalls > 0) {
    gatewayLatency = await measureGatewayLatency(gatewayCalls);
    console.log(`\n${formatGatewayLatency(gatewayLatency)}`);
  }

  const figures = figureRows({
    governanceTax,
    gatewayLatency,
    coldStart,
    decisionLookup,
    extraRows: [
      timerRow(timerLateness, timerRuns),
      sessionsRow(sessionMemory, sessions),
      auditVerifyRow(auditScale, auditConfig.records),
      ...tracingRows(tracing),
    ],
  });
  console.log(`\n${formatFigures(figures, previous)}`);
  const cpu = process.cpuUsage(started);
  console.log(
    `\nthis run: ${((performance.now() - clock) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU in this process (child processes not included)`,
  );
  const fullConfig = {
    ...config,
    decisionLookup: lookupConfig,
    coldStart: coldConfig,
    timerRuns,
    sessions,
    modelLatencyMs: count(env, "BENCH_MODEL_LATENCY_MS", 0, 0),
    gatewayCalls,
    auditScale: auditConfig,
    tracing: tracingConfig,
    suite: args.suite,
  };
  // JSON leaves out what was skipped (undefined); `figures` always has every row.
  const measured = {
    governanceTax,
    decisionLookup,
    coldStart,
    timerLateness,
    sessionMemory,
    auditScale,
    tracing,
    gatewayLatency,
  };
  console.log(
    `results: ${writeResults(fullConfig, { ...measured, ...suites, figures }, args.out ?? "latest.json")}`,
  );
}
