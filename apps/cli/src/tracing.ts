import { startTracingOrWarn, tracingExportError } from "@governor/observability";

/** Tracing for one CLI process: started before the command, finished before exit. */
export interface CliTracing {
  /**
   * Flushes the spans (bounded by LANGFUSE_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT, default 5 s)
   * and prints one warning line when some could not be delivered. Returns true when the flush
   * was cut off: a request to a hanging endpoint may still hold a socket, so the caller exits
   * explicitly rather than wait for it.
   */
  finish(): Promise<boolean>;
}

/**
 * Starts tracing from the environment (see tracingConfigFromEnv in @governor/observability).
 *
 * Tracing never decides a command's outcome: a malformed setting (TRACING_CONFIG_INVALID) is
 * one warning line and the command runs untraced, and an endpoint that refuses, hangs or
 * rejects the keys is one TRACING_EXPORT_FAILED line at exit with the exit code unchanged.
 * Without an endpoint nothing is loaded and nothing is sent.
 */
export async function startCliTracing(warn: (line: string) => void): Promise<CliTracing> {
  const handle = await startTracingOrWarn(warn, "running untraced");
  return {
    finish: async () => {
      if (!handle.enabled) return false;
      const report = await handle.shutdown();
      const error = tracingExportError(report);
      if (error) warn(`warning [${error.code}]: ${error.message}`);
      return report.timedOut;
    },
  };
}
