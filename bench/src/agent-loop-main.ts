/**
 * The agent-loop benchmark alone (`npm run bench` runs it with the others):
 * `node bench/dist/agent-loop-main.js` after `npx tsc -b`. Counts come from the environment
 * (see agent-loop/agent-loop-config.ts); results go to bench/results/agent-loop.json.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "./v8-workaround.js";
import { agentLoopConfig } from "./agent-loop/agent-loop-config.js";
import { formatAgentLoop } from "./agent-loop/agent-loop-report.js";
import { measureAgentLoop } from "./agent-loop/measure-agent-loop.js";
import { writeResults } from "./write-results.js";

const config = agentLoopConfig();
console.log(
  `agent loop: warm-up ${config.warmup} runs, then ${config.runs} timed runs per variant in ${config.batches} alternating batches\n`,
);
const agentLoop = await measureAgentLoop(config);
console.log(formatAgentLoop(agentLoop));
console.log(`\nresults: ${writeResults({ agentLoop: config }, { agentLoop }, "agent-loop.json")}`);
