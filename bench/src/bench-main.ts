/**
 * `npm run bench` (the figures as one table, run-all.ts), `npm run bench -- all` (the
 * table and every other suite), or one suite by name: `npm run bench -- memory`
 * (`agent-loop`, `breakdown`, `concurrency`, `load`). Options: `--compare previous.json` prints the table beside an
 * earlier results file; `--out file.json` writes the results there. Suites are imported only
 * when chosen, so a single suite starts without loading the others.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "./v8-workaround.js";
import { parseBenchArgs } from "./bench-args.js";
import type { PreviousFigures } from "./figures/figures-table.js";
import { loadPrevious } from "./figures/load-previous.js";

const SUITES: Readonly<Record<string, string>> = {
  memory: "./memory-main.js",
  "agent-loop": "./agent-loop-main.js",
  breakdown: "./breakdown-main.js",
  concurrency: "./concurrency/concurrency-main.js",
  "audit-scale": "./audit-scale-main.js",
  tracing: "./tracing-main.js",
  load: "./load/load-main.js",
};

let args: ReturnType<typeof parseBenchArgs> | undefined;
let previous: PreviousFigures | undefined;
try {
  const parsed = parseBenchArgs(process.argv.slice(2));
  // Read first: a mistyped --compare path should fail now, not after ten minutes.
  previous = parsed.compare ? loadPrevious(parsed.compare) : undefined;
  args = parsed;
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 2;
}
if (args) {
  if (args.suite === "table" || args.suite === "all") {
    const { runBench } = await import("./run-all.js");
    await runBench(args, args.suite === "all", previous);
  } else if (SUITES[args.suite] !== undefined) {
    if (args.compare)
      console.error(`--compare applies to the table ("table" or "all"), not to ${args.suite}`);
    await import(SUITES[args.suite] as string);
  } else {
    console.error(
      `unknown benchmark "${args.suite}": choose one of table (default), all, ${Object.keys(SUITES).join(", ")}`,
    );
    process.exitCode = 2;
  }
}
