/**
 * Governor's benchmarks: `npm run bench` from the repository root. Counts come from the
 * environment (see bench-config.ts); results go to bench/results/latest.json.
 */
import { benchConfig } from "./bench-config.js";
import { measureBreakdown } from "./breakdown.js";
import { formatBreakdown } from "./breakdown-report.js";
import { formatGatewayLatency, measureGatewayLatency } from "./gateway-latency.js";
import { measureGovernanceTax } from "./governance-tax.js";
import { formatGovernanceTax } from "./report.js";
import { writeResults } from "./write-results.js";

const config = benchConfig();
console.log(
  `warm-up ${config.warmup} runs, then ${config.runs} timed runs per variant in ${config.batches} alternating batches\n`,
);

const governanceTax = await measureGovernanceTax(config);
console.log(formatGovernanceTax(governanceTax));

const gatewayCalls = Number(process.env.BENCH_GATEWAY_CALLS ?? 10_000);
const gatewayLatency = await measureGatewayLatency(gatewayCalls);
console.log(`\n${formatGatewayLatency(gatewayLatency)}`);

const results: Record<string, unknown> = { governanceTax, gatewayLatency };
if (config.breakdown) {
  const breakdown = await measureBreakdown(config);
  console.log(`\n${formatBreakdown(breakdown)}`);
  results.breakdown = breakdown;
}

console.log(`\nresults: ${writeResults(config, results)}`);
