import { type Context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * OpenTelemetry's own "suppress tracing" key (@opentelemetry/core's `suppressTracing`): an SDK
 * records no span started in a context that carries it. Context keys are `Symbol.for` their
 * description, so this is the same key without core depending on an SDK package.
 */
const SUPPRESS_TRACING = createContextKey("OpenTelemetry SDK Context Key SUPPRESS_TRACING");

/** Threads whose spans are not made right now (a replay re-running them in a scratch store). */
const untraced = new Map<string, number>();

/**
 * Stops spans for `threadId` until the returned function is called. A replay re-executes a
 * finished run under its own thread id, so its spans would land in the original run's trace
 * (the trace id is the thread's) and read as a third segment of it: a replay is not the run.
 * A finished run is not running, so nothing of the original is silenced.
 */
export function untraceThread(threadId: string): () => void {
  untraced.set(threadId, (untraced.get(threadId) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const count = (untraced.get(threadId) ?? 1) - 1;
    if (count > 0) untraced.set(threadId, count);
    else untraced.delete(threadId);
  };
}

/** A context in which an SDK makes no span, when `threadId` is untraced. */
export function untracedContext(threadId: string): Context | undefined {
  return untraced.size > 0 && untraced.has(threadId)
    ? ROOT_CONTEXT.setValue(SUPPRESS_TRACING, true)
    : undefined;
}
