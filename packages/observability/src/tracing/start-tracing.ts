import { type TracingConfig, tracingConfigFromEnv } from "./tracing-config.js";
import type { StartTracingOptions, TracingHandle } from "./tracing-handle.js";
import { DISABLED_REPORT } from "./tracing-report.js";

/** The handle of a process without a tracing endpoint: nothing loaded, nothing sent. */
export const DISABLED_TRACING: TracingHandle = {
  enabled: false,
  destination: "disabled",
  counts: () => DISABLED_REPORT,
  flush: async () => undefined,
  shutdown: async () => DISABLED_REPORT,
};

/**
 * Starts exporting spans when the environment names an endpoint (see tracingConfigFromEnv).
 *
 * Disabled, it returns at once and imports none of the OpenTelemetry SDK or Langfuse modules
 * (they cost hundreds of milliseconds of start-up): the SDK is a dynamic import on the enabled
 * path only. Enabled, it registers the global tracer provider that Governor's spans (scope
 * `@governor/core`) and Langfuse's LangChain callback write to. Exports never block or fail a
 * run: call `shutdown` before exit to flush and learn what could not be delivered.
 *
 * @example
 * const tracing = await startTracing();
 * try { await runtime.start(...); } finally {
 *   const error = tracingExportError(await tracing.shutdown({ timeoutMs: 5_000 }));
 *   if (error) console.warn(error.message);
 * }
 *
 * @throws {GovernorError} TRACING_CONFIG_INVALID when the settings are malformed (see tracingConfigFromEnv).
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<TracingHandle> {
  const config: TracingConfig = options.config ?? tracingConfigFromEnv(options.env ?? process.env);
  if (config.kind === "disabled") return DISABLED_TRACING;
  const { startSdk } = await import("./tracing-sdk.js");
  return startSdk(config, options);
}
