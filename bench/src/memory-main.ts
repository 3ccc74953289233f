/**
 * The memory benchmark alone (`npm run bench` runs it with the others; `npm run bench:memory
 * --workspace bench` or `npm run bench --workspace bench -- memory` runs only it), after
 * `npx tsc -b`. Counts come from the environment (see memory/memory-bench-config.ts); results go
 * to bench/results/memory.json.
 */

import { measureMemory } from "./memory/measure-memory.js";
import { memoryBenchConfig } from "./memory/memory-bench-config.js";
import { formatMemory } from "./memory/memory-report.js";
import { writeResults } from "./write-results.js";

const config = memoryBenchConfig();
console.log(
  `memory: ${config.sequences} sequences (seed ${config.seed}); retrieval at ${config.scales.join(", ")} facts, ${config.samples} calls per variant\n`,
);
const memory = await measureMemory(config);
console.log(formatMemory(memory));
const cpu = process.cpuUsage();
console.log(
  `\nthis run: ${process.uptime().toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU (the machine's load average shows in the results file)`,
);
console.log(`\nresults: ${writeResults({ memory: config }, { memory }, "memory.json")}`);
