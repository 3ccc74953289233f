import { formatTable, times } from "../table.js";
import { integrityHolds } from "./integrity.js";
import type { LoadMeasurement } from "./load-measurement.js";

/** The goals for the load. */
export const LOAD_GOALS = {
  overheadP95Ms: 20,
  peakRssMb: 4096,
  /** Judged at this many sessions; fewer are not judged. */
  rssAtSessions: 10_000,
  twoWorkerSpeedup: 1.8,
} as const;

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);

function label(m: LoadMeasurement): string {
  const where =
    m.backend === "sqlite"
      ? "SQLite, 1 process"
      : `PostgreSQL, ${m.workers} worker${m.workers === 1 ? "" : "s"}`;
  const paced = m.rampMs > 0 ? `, paced ${fixed((m.sessions * 1000) / m.rampMs)}/s` : "";
  return `${m.workload} · ${where}${paced}`;
}

function errorsOf(m: LoadMeasurement): string {
  const entries = Object.entries(m.errors);
  return entries.length ? entries.map(([kind, n]) => `${kind} ${n}`).join(", ") : "0";
}

/** Throughput over the single worker's on the same workload and sessions, for the PostgreSQL rows. */
function speedup(m: LoadMeasurement, all: readonly LoadMeasurement[]): number | undefined {
  if (m.backend !== "postgres") return undefined;
  const one = all.find(
    (o) =>
      o.backend === "postgres" && o.workload === m.workload && o.sessions === m.sessions && o.workers === 1,
  );
  return one ? m.runsPerSecond / one.runsPerSecond : undefined;
}

/** The load table (one row per load) and the verdicts against the goals. */
export function formatLoad(measurements: readonly LoadMeasurement[]): string {
  const table = formatTable(
    [
      "load",
      "sessions",
      "done+waiting",
      "errors",
      "runs/s",
      "vs 1 worker",
      "turn p50 ms",
      "p95 ms",
      "p99 ms",
      "CPU/run ms",
      "DB CPU/run ms",
      "load's CPU",
      "host busy",
      "peak RSS MB",
      "lost/dup",
    ],
    measurements.map((m) => {
      const up = speedup(m, measurements);
      const i = m.integrity;
      return [
        label(m),
        String(m.sessions),
        `${m.completed}+${m.waiting}`,
        errorsOf(m),
        fixed(m.runsPerSecond),
        up === undefined ? "" : times(up),
        fixed(m.overhead.p50Ms),
        fixed(m.overhead.p95Ms),
        fixed(m.overhead.p99Ms),
        fixed(m.cpuPerRunMs),
        m.databaseCpuMs === undefined ? "" : fixed(m.databaseCpuMs / m.sessions),
        `${fixed(m.machineCpuShare * 100, 0)}%`,
        `${fixed(m.hostBusyShare * 100, 0)}%`,
        m.workers > 1 ? `${fixed(m.peakRssMb, 0)} (Σ ${fixed(m.totalPeakRssMb, 0)})` : fixed(m.peakRssMb, 0),
        `${i.lostRuns}/${i.duplicatedRuns + i.duplicatedEffects + i.duplicatedExecutedRecords}`,
      ];
    }),
  );
  return [
    "Load: concurrent sessions on a simulated model (uniform 200–300 ms a call, seeded); a turn's",
    "orchestration time is its wall time minus the model's drawn latency (event-loop queueing included).",
    "load's CPU: the sessions', database's and queue's processes over wall × cores; host busy: the whole",
    "machine over the same time (other work on a shared machine included)",
    "",
    table,
    "",
    ...measurements.flatMap((m) => verdicts(m, measurements)),
  ].join("\n");
}

function verdicts(m: LoadMeasurement, all: readonly LoadMeasurement[]): string[] {
  const lines: string[] = [];
  const name = label(m);
  const p95 = m.overhead.p95Ms;
  lines.push(
    `${p95 <= LOAD_GOALS.overheadP95Ms ? "PASS" : "FAIL"}: ${name}: turn overhead p95 ${fixed(p95)} ms (goal ≤ ${LOAD_GOALS.overheadP95Ms} ms; mean CPU ${fixed(m.cpuMs / Math.max(m.overhead.turns, 1), 2)} ms a turn)`,
  );
  const i = m.integrity;
  lines.push(
    `${integrityHolds(i) ? "PASS" : "FAIL"}: ${name}: ${i.lostRuns} lost runs, ${i.duplicatedRuns} started twice, ${i.duplicatedEffects} effects run twice by handlers, ${i.duplicatedExecutedRecords} calls audited executed twice, ${fixed(i.duplicatedEffectRows, 0)} duplicated effect rows, ${i.uncommittedEffects} executed but not committed, ${i.handlerAuditMismatch} handler/audit mismatches (${i.executedCalls} calls executed; statuses ${JSON.stringify(i.statuses)})`,
  );
  if (m.sessions >= LOAD_GOALS.rssAtSessions)
    lines.push(
      `${m.peakRssMb <= LOAD_GOALS.peakRssMb ? "PASS" : "FAIL"}: ${name}: peak RSS ${fixed(m.peakRssMb, 0)} MB per process (goal ≤ ${LOAD_GOALS.peakRssMb} MB at ${LOAD_GOALS.rssAtSessions} sessions)`,
    );
  const up = speedup(m, all);
  if (m.workers === 2 && up !== undefined) {
    const one = all.find(
      (o) =>
        o.backend === "postgres" && o.workload === m.workload && o.sessions === m.sessions && o.workers === 1,
    );
    // Saturated: the machine was busy (by the load or anything else sharing it) nearly all the time.
    const saturated = (one?.hostBusyShare ?? 0) > 0.85;
    lines.push(
      `${up >= LOAD_GOALS.twoWorkerSpeedup ? "PASS" : saturated ? "N/A (CPU saturated at 1 worker)" : "FAIL"}: ${name}: 2 workers ${times(up)} one (goal ≥ ${LOAD_GOALS.twoWorkerSpeedup}× where CPU is not saturated; 1 worker's load used ${fixed((one?.machineCpuShare ?? 0) * 100, 0)}% of the machine, which was ${fixed((one?.hostBusyShare ?? 0) * 100, 0)}% busy)`,
    );
  }
  if (m.redeliveredJobs !== undefined)
    lines.push(
      `  queue: ${m.redeliveredJobs} runs moved on by a second job delivery; events ${JSON.stringify(m.queueEvents ?? {})}; job wait p50 ${fixed(m.queueWaitP50Ms, 0)} ms, p95 ${fixed(m.queueWaitP95Ms, 0)} ms`,
    );
  if (Object.keys(m.errors).length) lines.push(`  errors: ${m.examples.join(" | ")}`);
  return lines;
}
