/**
 * Tracing's cost alone: `npm run bench -- tracing` (or `node bench/dist/tracing-main.js` after
 * `npx tsc -b`). BENCH_TRACING_RUNS (150) timed refunds and BENCH_TRACING_LOOP_RUNS (30) agent
 * loops per variant, in BENCH_TRACING_BATCHES (10) alternating batches; results go to
 * bench/results/tracing.json.
 */
import "./v8-workaround.js";
import { formatFigures } from "./figures/figures-table.js";
import { measureTracing } from "./tracing/measure-tracing.js";
import { tracingBenchConfig } from "./tracing/tracing-bench-config.js";
import { formatTracing, tracingRows } from "./tracing/tracing-report.js";
import { writeResults } from "./write-results.js";

const config = tracingBenchConfig();
const runs = Math.max(config.runs, 1);
console.log(
  `tracing: ${runs} refunds and ${config.loopRuns} agent loops per variant (off, on, dead exporter), in ${config.batches} alternating batches\n`,
);
const tracing = await measureTracing({ ...config, runs });
console.log(formatTracing(tracing));
const figures = tracingRows(tracing);
console.log(`\n${formatFigures(figures)}`);
console.log(`\nresults: ${writeResults({ tracing: config }, { tracing, figures }, "tracing.json")}`);
