import { GovernorError } from "@governor/errors";
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

/**
 * `startTracing` for a process that must go on untraced when the settings are wrong (the CLI,
 * an API server): a malformed setting is one `warning [CODE]: … ; <going on>` line through
 * `warn`, and the handle is the disabled one. Tracing never decides whether a command or a
 * server runs.
 */
export async function startTracingOrWarn(
  warn: (line: string) => void,
  goingOn: string,
  options: StartTracingOptions = {},
): Promise<TracingHandle> {
  try {
    return await startTracing(options);
  } catch (error) {
    const code = error instanceof GovernorError ? ` [${error.code}]` : "";
    warn(`warning${code}: ${error instanceof Error ? error.message : String(error)}; ${goingOn}`);
    return DISABLED_TRACING;
  }
}
