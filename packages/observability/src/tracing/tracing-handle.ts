import type { TracingConfig, TracingEnv } from "./tracing-config.js";
import type { ExportCounts, TracingReport } from "./tracing-report.js";

/** Options of startTracing. */
export interface StartTracingOptions {
  /** Read instead of process.env. */
  readonly env?: TracingEnv;
  /** Use this instead of reading the environment. */
  readonly config?: TracingConfig;
  /**
   * Langfuse's last-line mask for observation input/output/metadata. Governor masks its own
   * spans before it sets them; this is for spans of other libraries (a user's LangChain model).
   */
  readonly mask?: (params: { data: unknown }) => unknown;
}

/** Options of TracingHandle.shutdown. */
export interface ShutdownOptions {
  /** The most the flush may take; default the export timeout (LANGFUSE_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT). */
  readonly timeoutMs?: number;
}

/** A started (or disabled) tracing pipeline. */
export interface TracingHandle {
  readonly enabled: boolean;
  readonly destination: TracingReport["destination"];
  /** The URL spans are sent to, when enabled. */
  readonly endpoint?: string;
  /** Spans exported, failed and dropped so far. */
  counts(): ExportCounts;
  /** Sends every span ended so far; not bounded in time (shutdown is). */
  flush(): Promise<void>;
  /**
   * Flushes what is queued, within `timeoutMs`, and unregisters the global tracer provider.
   * Never rejects: what could not be delivered is in the report. Called twice, the same report.
   */
  shutdown(options?: ShutdownOptions): Promise<TracingReport>;
}
