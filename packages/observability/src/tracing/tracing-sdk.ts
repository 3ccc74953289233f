// Loaded only by startTracing's enabled path (a dynamic import): every OpenTelemetry and
// Langfuse module is imported here, so a process without a tracing endpoint loads none of them.
import { context, propagation, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { QueuedExporter } from "./queued-exporter.js";
import { GOVERNOR_SCOPE } from "./run-root.js";
import type { LangfuseTracing, OtlpTracing } from "./tracing-config.js";
import type { StartTracingOptions, TracingHandle } from "./tracing-handle.js";
import type { TracingReport } from "./tracing-report.js";

/**
 * Registers a global tracer provider that sends every span through a bounded, batching queue.
 *
 * Both destinations share the queue (QueuedExporter); Langfuse's processor sits in front of it
 * in "immediate" mode, so Langfuse adds its attributes and masking and the queue does the
 * batching, bounding and counting. Metrics and logs are switched off explicitly: NodeSDK would
 * otherwise start an OTLP metrics exporter of its own whenever an OTLP endpoint is set.
 */
export async function startSdk(
  config: LangfuseTracing | OtlpTracing,
  options: StartTracingOptions,
): Promise<TracingHandle> {
  const inner = new OTLPTraceExporter({
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis: config.timeoutMs,
  });
  const queued = new QueuedExporter(inner, config);
  const processor = await spanProcessor(config, queued, options);
  const sdk = new NodeSDK({
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    autoDetectResources: false,
    serviceName: config.serviceName,
  });
  sdk.start();

  let report: Promise<TracingReport> | undefined;
  const shutdown = async (timeoutMs: number): Promise<TracingReport> => {
    const deadline = deadlineAfter(timeoutMs);
    try {
      // Whatever the endpoint does, the caller waits at most timeoutMs.
      const flushed = await Promise.race([
        processor.forceFlush().then(
          () => true,
          () => true,
        ),
        deadline.passed,
      ]);
      queued.close(!flushed);
      await Promise.race([sdk.shutdown().catch(() => undefined), deadline.passed]);
      return { destination: config.kind, endpoint: config.url, ...queued.counts(), timedOut: !flushed };
    } finally {
      deadline.cancel();
      // Unregisters the globals, so spans after this are no-ops and tracing can be started again.
      trace.disable();
      context.disable();
      propagation.disable();
    }
  };
  return {
    enabled: true,
    destination: config.kind,
    endpoint: config.url,
    counts: () => queued.counts(),
    flush: () => processor.forceFlush(),
    shutdown: (shutdownOptions = {}) => {
      report ??= shutdown(shutdownOptions.timeoutMs ?? config.timeoutMs);
      return report;
    },
  };
}

async function spanProcessor(
  config: LangfuseTracing | OtlpTracing,
  queued: QueuedExporter,
  options: StartTracingOptions,
): Promise<SpanProcessor> {
  if (config.kind === "otlp") return new SimpleSpanProcessor(queued);
  const { LangfuseSpanProcessor, isDefaultExportSpan } = await import("@langfuse/otel");
  return new LangfuseSpanProcessor({
    publicKey: config.publicKey,
    secretKey: config.secretKey,
    baseUrl: config.baseUrl,
    exporter: queued,
    exportMode: "immediate",
    // Media upload would call Langfuse's REST API besides the OTLP endpoint; Governor sends no media.
    mediaUploadEnabled: false,
    // Langfuse's default keeps only LLM scopes and gen_ai.* spans: Governor's node and decision spans too.
    shouldExportSpan: ({ otelSpan }) =>
      otelSpan.instrumentationScope.name === GOVERNOR_SCOPE || isDefaultExportSpan(otelSpan),
    ...(options.mask ? { mask: options.mask } : {}),
  });
}

function deadlineAfter(ms: number): { passed: Promise<false>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  // Not unref'd: a caller awaiting the shutdown must not see the process exit under it.
  const passed = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return { passed, cancel: () => clearTimeout(timer) };
}
