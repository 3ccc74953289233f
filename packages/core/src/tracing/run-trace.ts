import { runRootSpanContext } from "@governor/observability";
import { type Context, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { maskForDisplay } from "../privacy/audit-mask.js";
import { GOVERNOR_TRACER } from "./span-attributes.js";

/** The tracer of every Governor span: a no-op until an OpenTelemetry SDK is registered. */
export function governorTracer() {
  return trace.getTracer(GOVERNOR_TRACER);
}

/**
 * The run's virtual root as a context (see `runRootSpanContext` in @governor/observability),
 * under which every segment (a start, each resume) hangs.
 */
export function runRootContext(threadId: string, base: Context = ROOT_CONTEXT): Context {
  return trace.setSpanContext(base, runRootSpanContext(threadId));
}

/**
 * Ends a span, with an error status when `error` is given. The message is masked like every
 * other exported text: an error may quote arguments (a declined card, an unknown e-mail).
 */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    const message = error instanceof Error ? error.message : String(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: maskForDisplay(message) });
  }
  span.end();
}
