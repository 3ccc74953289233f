/**
 * The breakdown alone (`npm run bench -- breakdown`; `npm run bench -- all` runs it with the
 * others): where the governed run's extra time goes, variant by variant. Counts come from the
 * environment (see bench-config.ts); results go to bench/results/breakdown.json.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "./v8-workaround.js";
import { benchConfig } from "./bench-config.js";
import { measureBreakdown } from "./breakdown.js";
import { formatBreakdown } from "./breakdown-report.js";
import { writeResults } from "./write-results.js";

const config = benchConfig();
console.log(
  `breakdown: warm-up ${config.warmup} runs, then ${config.runs} timed runs per variant in ${config.batches} alternating batches\n`,
);
const breakdown = await measureBreakdown(config);
console.log(formatBreakdown(breakdown));
console.log(`\nresults: ${writeResults(config, { breakdown }, "breakdown.json")}`);
