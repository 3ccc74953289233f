/**
 * The load bench (issue 11): `npm run bench -- load` (settings from BENCH_LOAD_* variables),
 * or `node bench/dist/load/load-main.js [--sessions N] [--workloads refund] [--backends sqlite]
 * [--workers 1,2,4] …` (see load-config.ts); `--report FILE` prints an earlier results file's table. Each load runs in fresh processes: the SQLite one
 * in a child of its own, the PostgreSQL ones as worker processes on a real PostgreSQL and
 * redis-server started for the bench. Prints the table; results go to bench/results/load.json.
 */
import "../v8-workaround.js";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { writeResults } from "../write-results.js";
import { runJsonChild } from "./child-process.js";
import { loadConfig } from "./load-config.js";
import type { LoadMeasurement } from "./load-measurement.js";
import { formatLoad } from "./load-report.js";
import type { LoadRequest } from "./load-request.js";

// `--report FILE` prints the table of an earlier results file and runs nothing.
const reportAt = process.argv.indexOf("--report");
if (reportAt >= 0) {
  const file = process.argv[reportAt + 1];
  if (!file) throw new RangeError("--report needs a results file (bench/results/load.json)");
  console.log(formatLoad((JSON.parse(readFileSync(file, "utf8")) as { load: LoadMeasurement[] }).load));
  process.exit(0);
}

// `bench-main.js load [--out FILE]` leaves "load" and the runner's --out in argv: take them out.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "load"));
const outAt = argv.findIndex((arg) => arg === "--out" || arg.startsWith("--out="));
const out = outAt < 0 ? "load.json" : ((argv[outAt] as string).split(/=(.*)/s)[1] ?? argv[outAt + 1]);
if (outAt >= 0) argv.splice(outAt, (argv[outAt] as string).includes("=") ? 1 : 2);
const config = loadConfig(process.env, argv);
const measurements: LoadMeasurement[] = [];
const requestFor = (workload: LoadRequest["workload"]): LoadRequest => ({
  workload,
  sessions: workload === "refund" ? config.sessions : config.loopSessions,
  rampMs: config.rampMs,
  latency: config.latency,
  waitingEvery: config.waitingEvery,
});

for (const workload of config.workloads) {
  const request = requestFor(workload);
  if (config.backends.includes("sqlite")) {
    console.log(`load: ${request.sessions} ${workload} sessions on SQLite in one process…`);
    measurements.push(await runJsonChild<LoadMeasurement>("sqlite-load-child", request));
    const rate = workload === "refund" ? config.pacedRate : config.pacedRate / 10;
    if (rate > 0) {
      const sessions = Math.max(1, Math.round(rate * config.pacedSeconds));
      console.log(`load: ${sessions} ${workload} sessions on SQLite, started ${rate} a second…`);
      measurements.push(
        await runJsonChild<LoadMeasurement>("sqlite-load-child", {
          ...request,
          sessions,
          rampMs: config.pacedSeconds * 1000,
        }),
      );
    }
  }
  if (config.backends.includes("postgres")) {
    // Imported only here: a SQLite-only run needs neither pg nor a Redis client.
    const { measurePostgresLoad, stopServices } = await import("./postgres-load.js");
    try {
      for (const workers of config.workers) {
        console.log(
          `load: ${request.sessions} ${workload} sessions on PostgreSQL with ${workers} worker process(es)…`,
        );
        measurements.push(await measurePostgresLoad(request, workers, config.workerConcurrency));
      }
    } finally {
      await stopServices();
    }
  }
}
console.log(`\n${formatLoad(measurements)}`);
console.log(`\nresults: ${writeResults({ load: config }, { load: measurements }, resolveOut(out))}`);

/** A relative --out is taken from the directory the command ran in (npm's INIT_CWD), as the runner does. */
function resolveOut(file: string | undefined): string {
  if (!file || file === "load.json") return "load.json";
  return isAbsolute(file) ? file : resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
