import { GovernorError } from "@governor/errors";

/** What went wrong with an export, in the terms a person fixes it by. */
export type ExportProblemKind = "connection-refused" | "timeout" | "unauthorized" | "http-status" | "other";

/** The first error of one kind, and how many batches failed that way. */
export interface ExportProblem {
  readonly kind: ExportProblemKind;
  readonly message: string;
  /** HTTP status, when the endpoint answered. */
  readonly status?: number;
  readonly batches: number;
}

/** Spans exported, failed and dropped so far, and the first error of each kind. */
export interface ExportCounts {
  readonly exported: number;
  readonly failed: number;
  readonly dropped: number;
  readonly errors: readonly ExportProblem[];
}

/** What became of the spans of one process, returned by `TracingHandle.shutdown`. */
export interface TracingReport {
  /** "disabled" when no endpoint was configured (every count is then 0). */
  readonly destination: "disabled" | "langfuse" | "otlp";
  /** The URL spans were sent to. */
  readonly endpoint?: string;
  /** Spans the endpoint accepted. */
  readonly exported: number;
  /** Spans sent in a request that failed (refused, timed out, rejected). */
  readonly failed: number;
  /** Spans never sent: the queue was full, the endpoint was down (a batch had just failed), or they were still queued when the shutdown's time ran out. */
  readonly dropped: number;
  readonly errors: readonly ExportProblem[];
  /** True when the flush at shutdown was cut off by its timeout. */
  readonly timedOut: boolean;
}

/** The report of a process that traced nothing. */
export const DISABLED_REPORT: TracingReport = {
  destination: "disabled",
  exported: 0,
  failed: 0,
  dropped: 0,
  errors: [],
  timedOut: false,
};

/**
 * The report as an error when spans were lost, else undefined.
 *
 * The message names the endpoint, what happened and how many spans were lost, so one line on
 * stderr is enough to fix it; the run itself is never failed by this (the caller prints it).
 */
export function tracingExportError(report: TracingReport): GovernorError | undefined {
  const lost = report.failed + report.dropped;
  if (lost === 0) return undefined;
  const what =
    report.errors.length > 0
      ? report.errors.map(describeProblem).join("; ")
      : report.timedOut
        ? "the flush at exit ran out of time"
        : "the export queue was full";
  const total = lost + report.exported;
  return new GovernorError(
    "TRACING_EXPORT_FAILED",
    `Tracing export to ${report.endpoint ?? "the tracing endpoint"} failed: ${what}; ${lost} of ${total} span${total === 1 ? "" : "s"} lost (the run itself is unaffected)`,
    {
      endpoint: report.endpoint,
      exported: report.exported,
      failed: report.failed,
      dropped: report.dropped,
      errors: report.errors,
    },
  );
}

function describeProblem(problem: ExportProblem): string {
  switch (problem.kind) {
    case "connection-refused":
      return `connection refused (${problem.message})`;
    case "timeout":
      return `no answer in time (${problem.message})`;
    case "unauthorized":
      return `HTTP ${problem.status}: the endpoint rejected the credentials (check LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY or the OTLP headers)`;
    case "http-status":
      return `HTTP ${problem.status} ${problem.message}`.trim();
    default:
      return problem.message;
  }
}
