import { type SpanContext, TraceFlags } from "@opentelemetry/api";
import { sha256Hex } from "../canonical-json.js";

/** The instrumentation scope of every span Governor makes: an exporter keeps spans of this scope. */
export const GOVERNOR_SCOPE = "@governor/core";

/**
 * The trace id of a run: the first 32 hex digits of SHA-256 of its thread id, which is what
 * Langfuse's `createTraceId(threadId)` computes. Every process that starts, resumes or recovers
 * the thread writes into this one trace, with no id to hand from one process to the next.
 */
export function traceIdOf(threadId: string): string {
  return memoSha256(threadId).slice(0, 32);
}

/**
 * The run's virtual root: a remote parent with the run's trace id, under which Governor's
 * segments (a start, each resume) and the root spans of a user's own LangChain calls hang. It
 * is never exported itself: OpenTelemetry lets a span choose its trace id only through its
 * parent, and Langfuse documents this as the way to do it. One definition, so the two never
 * land in different traces.
 */
export function runRootSpanContext(threadId: string): SpanContext {
  return {
    traceId: traceIdOf(threadId),
    spanId: memoSha256(`governor:run:${threadId}`).slice(0, 16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  };
}

const hashes = new Map<string, string>();

/** SHA-256 hex, memoised: every node of a run asks for its trace's root. */
function memoSha256(text: string): string {
  let hash = hashes.get(text);
  if (hash === undefined) {
    hash = sha256Hex(text);
    // Bounded: a long-lived server sees many threads; the memo only saves a hash per node.
    if (hashes.size > 10_000) hashes.clear();
    hashes.set(text, hash);
  }
  return hash;
}
