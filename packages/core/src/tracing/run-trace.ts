import { createHash } from "node:crypto";
import { type Context, ROOT_CONTEXT, type Span, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { maskForDisplay } from "../privacy/audit-mask.js";
import { GOVERNOR_TRACER } from "./span-attributes.js";

/** The tracer of every Governor span: a no-op until an OpenTelemetry SDK is registered. */
export function governorTracer() {
  return trace.getTracer(GOVERNOR_TRACER);
}

/**
 * The trace id of a run: the first 32 hex digits of SHA-256 of its thread id, which is what
 * Langfuse's `createTraceId(threadId)` computes. Every process that starts, resumes or recovers
 * the thread writes into this one trace, with no id to hand from one process to the next.
 */
export function traceIdOf(threadId: string): string {
  return sha256(threadId).slice(0, 32);
}

/**
 * The run's virtual root: a remote parent with the run's trace id, under which every segment
 * (a start, each resume) hangs. It is never exported itself: OpenTelemetry lets a span choose
 * its trace id only through its parent, and Langfuse documents this as the way to do it.
 */
export function runRootContext(threadId: string, base: Context = ROOT_CONTEXT): Context {
  return trace.setSpanContext(base, {
    traceId: traceIdOf(threadId),
    spanId: sha256(`governor:run:${threadId}`).slice(0, 16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
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

const hashes = new Map<string, string>();

/** SHA-256 hex, memoised per thread id: every node of a run asks for its trace id. */
function sha256(text: string): string {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = createHash("sha256").update(text).digest("hex");
    // Bounded: a long-lived server sees many threads; the memo only saves a hash per node.
    if (hashes.size > 10_000) hashes.clear();
    hashes.set(text, hash);
  }
  return hash;
}
