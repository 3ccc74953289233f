/**
 * `npm run bench` (every suite, run-all.ts) or one suite by name:
 * `npm run bench --workspace bench -- memory` (or `agent-loop`). Suites are imported only when
 * chosen, so a single suite starts without loading the others.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "./v8-workaround.js";

const SUITES: Readonly<Record<string, string>> = {
  all: "./run-all.js",
  memory: "./memory-main.js",
  "agent-loop": "./agent-loop-main.js",
};

const name = process.argv[2] ?? "all";
const suite = SUITES[name];
if (suite === undefined) {
  console.error(`unknown benchmark "${name}": choose one of ${Object.keys(SUITES).join(", ")}`);
  process.exitCode = 2;
} else {
  await import(suite);
}
