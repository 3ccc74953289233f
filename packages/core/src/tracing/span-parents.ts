import { type Context, ROOT_CONTEXT, type Span, trace } from "@opentelemetry/api";
import { runRootContext } from "./run-trace.js";
import { untracedContext } from "./untraced-threads.js";

/**
 * The spans open right now, by what they cover: a run's segment (thread), a node of it (thread +
 * node), a tool call of that node (thread + node + call id). A span Governor makes finds its
 * parent here, by the thread, node and call it is about, instead of through OpenTelemetry's
 * active context.
 *
 * Why not the active context: propagating it needs a context manager, and an
 * AsyncLocalStorage-based one (the only kind in Node) costs on every promise of the run, not
 * only where spans are made: measured at +5–12% CPU on the refund with no span recorded at all,
 * more than the whole budget tracing has. Every span Governor makes already knows its thread,
 * node and call, so the nesting is exact without it.
 */
const open = new Map<string, Span[]>();

function key(threadId: string, node?: string, callId?: string): string {
  return callId !== undefined
    ? `${threadId}\u0000${node}\u0000${callId}`
    : node !== undefined
      ? `${threadId}\u0000${node}`
      : threadId;
}

/**
 * Registers `span` as open for (thread, node?, call?) until the returned function is called.
 * Spans opened twice for the same key (a node sent twice in one step) stack: the newest is
 * the parent until it closes.
 */
export function holdOpen(span: Span, threadId: string, node?: string, callId?: string): () => void {
  const at = key(threadId, node, callId);
  const stack = open.get(at);
  if (stack) stack.push(span);
  else open.set(at, [span]);
  return () => {
    const spans = open.get(at);
    if (!spans) return;
    const index = spans.lastIndexOf(span);
    if (index >= 0) spans.splice(index, 1);
    if (spans.length === 0) open.delete(at);
  };
}

/**
 * The context a span about (thread, node?, call?) starts in: under the innermost open span
 * that covers it (the call's tool span, else its node, else the run's segment), else under the
 * run's virtual root, so a node run by Studio or a bare `graph.invoke` still lands in the
 * thread's trace.
 */
export function parentContext(threadId: string, node?: string, callId?: string): Context {
  const untraced = untracedContext(threadId);
  if (untraced) return untraced;
  const span =
    (callId !== undefined ? newest(key(threadId, node, callId)) : undefined) ??
    (node !== undefined ? newest(key(threadId, node)) : undefined) ??
    newest(key(threadId));
  return span ? trace.setSpan(ROOT_CONTEXT, span) : runRootContext(threadId);
}

function newest(at: string): Span | undefined {
  const spans = open.get(at);
  return spans?.[spans.length - 1];
}
