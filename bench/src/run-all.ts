/**
 * Governor's benchmarks: `npm run bench` from the repository root. Counts come from the
 * environment (see bench-config.ts); results go to bench/results/latest.json.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "./v8-workaround.js";
import { agentLoopConfig } from "./agent-loop/agent-loop-config.js";
import { formatAgentLoop } from "./agent-loop/agent-loop-report.js";
import { measureAgentLoop } from "./agent-loop/measure-agent-loop.js";
import { benchConfig } from "./bench-config.js";
import { measureBreakdown } from "./breakdown.js";
import { formatBreakdown } from "./breakdown-report.js";
import { formatGatewayLatency, measureGatewayLatency } from "./gateway-latency.js";
import { measureGovernanceTax } from "./governance-tax.js";
import { measureMemory } from "./memory/measure-memory.js";
import { memoryBenchConfig } from "./memory/memory-bench-config.js";
import { formatMemory } from "./memory/memory-report.js";
import { formatGovernanceTax } from "./report.js";
import { writeResults } from "./write-results.js";

const config = benchConfig();
console.log(
  `warm-up ${config.warmup} runs, then ${config.runs} timed runs per variant in ${config.batches} alternating batches\n`,
);

const governanceTax = await measureGovernanceTax(config);
console.log(formatGovernanceTax(governanceTax));

const results: Record<string, unknown> = { governanceTax };
if (config.breakdown) {
  const breakdown = await measureBreakdown(config);
  console.log(`\n${formatBreakdown(breakdown)}`);
  results.breakdown = breakdown;
}

// The agent loop (BENCH_AGENT_LOOP=0 skips it), before the gateway's 10,000 Cedar decisions (see below).
if (process.env.BENCH_AGENT_LOOP !== "0") {
  const loopConfig = agentLoopConfig();
  console.log(
    `\nagent loop: warm-up ${loopConfig.warmup} runs, then ${loopConfig.runs} timed runs per variant in ${loopConfig.batches} alternating batches\n`,
  );
  const agentLoop = await measureAgentLoop(loopConfig);
  console.log(formatAgentLoop(agentLoop));
  results.agentLoop = { config: loopConfig, ...agentLoop };
}

// Structured memory (BENCH_MEMORY=0 skips it): stale facts, recall and tokens against a naive Mem0 memory, retrieval latency.
if (process.env.BENCH_MEMORY !== "0") {
  const memoryConfig = memoryBenchConfig();
  const memory = await measureMemory(memoryConfig);
  console.log(`\n${formatMemory(memory)}`);
  results.memory = { config: memoryConfig, ...memory };
}

// Last: after 10,000 Cedar (wasm) decisions, Node 20's V8 crashed in its deoptimizer
// (a fatal "unreachable code") while the breakdown ran in the same process.
const gatewayCalls = Number(process.env.BENCH_GATEWAY_CALLS ?? 10_000);
const gatewayLatency = await measureGatewayLatency(gatewayCalls);
console.log(`\n${formatGatewayLatency(gatewayLatency)}`);
results.gatewayLatency = gatewayLatency;

console.log(`\nresults: ${writeResults(config, results)}`);
