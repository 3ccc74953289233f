import type { IntegrityReport } from "./integrity.js";
import type { WorkloadName } from "./load-workload.js";
import type { OverheadSummary } from "./overhead-summary.js";

/** One load's figures: a workload on a backend, in one process or on a pool of workers. */
export interface LoadMeasurement {
  readonly workload: WorkloadName;
  readonly backend: "sqlite" | "postgres";
  /** Worker processes (0: the sessions ran in the one process that started them). */
  readonly workers: number;
  readonly sessions: number;
  /** Starts spread over this many ms (0: every session at once). */
  readonly rampMs: number;
  readonly completed: number;
  readonly waiting: number;
  /** Failed sessions by kind (SQLITE_BUSY, deadlock, connection-lost, a GovernorError code…). */
  readonly errors: Readonly<Record<string, number>>;
  readonly examples: readonly string[];
  /** Worker pools only: the queue's events that are not failures (lock renewals missed, retries), by kind. */
  readonly queueEvents?: Readonly<Record<string, number>>;
  /** Worker pools only: runs moved on by more than one job delivery (a lock lapsed, another worker took the job). */
  readonly redeliveredJobs?: number;
  /** From the first session started to the last one ended. */
  readonly wallMs: number;
  /** Sessions ended per second of wall time. */
  readonly runsPerSecond: number;
  readonly overhead: OverheadSummary;
  /** CPU (user + system) of every process that ran sessions, in ms, and per session. */
  readonly cpuMs: number;
  readonly cpuPerRunMs: number;
  /** The database server's CPU over the load, in ms (PostgreSQL only). */
  readonly databaseCpuMs?: number;
  /** Redis's CPU over the load, in ms (workers only). */
  readonly queueCpuMs?: number;
  /** Every process's CPU (sessions, database, queue) over the machine's: 1 is every core busy for the whole load. */
  readonly machineCpuShare: number;
  /** The machine's busy share over the load, whoever used it (other work on a shared machine included). */
  readonly hostBusyShare: number;
  /** How long a job waited in the queue before a worker took it, median and p95, in ms (workers only). */
  readonly queueWaitP50Ms?: number;
  readonly queueWaitP95Ms?: number;
  /** The highest peak RSS of any one process that ran sessions, and their sum, in MB. */
  readonly peakRssMb: number;
  readonly totalPeakRssMb: number;
  readonly integrity: IntegrityReport;
}
