import type { CallbackHandler } from "@langfuse/langchain";
import { runRootSpanContext } from "./run-root.js";
import type { TracingHandle } from "./tracing-handle.js";

/** Who and what a user's own LangChain / LangGraph calls are traced as. */
export interface TracingCallbackOptions {
  /**
   * The Governor thread the calls belong to: their root spans join that run's trace (trace id
   * sha256(thread)[0..32], as Governor's own spans), unless a span is already active.
   */
  readonly threadId?: string;
  /** Langfuse session; default the thread id. */
  readonly sessionId?: string;
  /** The principal the calls act for. */
  readonly userId?: string;
  readonly tags?: readonly string[];
  /** When given and disabled, no handler is built (and @langfuse/langchain is not loaded). */
  readonly tracing?: TracingHandle;
}

/**
 * Callbacks for a user's OWN model calls, e.g. an agent built on LangGraph that uses Governor's
 * prebuilt governed tool node: Governor traces the tool calls it governs, this traces the model
 * calls it does not make. Pass the result as `callbacks` in the graph's config; spans go to the
 * pipeline startTracing registered (Langfuse or OTLP).
 *
 * @example
 * const callbacks = await tracingCallbacks({ threadId, userId: "agent:support" });
 * await myAgent.invoke(input, { configurable: { thread_id: threadId }, callbacks });
 */
export async function tracingCallbacks(options: TracingCallbackOptions = {}): Promise<CallbackHandler[]> {
  if (options.tracing && !options.tracing.enabled) return [];
  const [{ CallbackHandler }, { context, trace }] = await Promise.all([
    import("@langfuse/langchain"),
    import("@opentelemetry/api"),
  ]);
  const root = options.threadId === undefined ? undefined : runRootSpanContext(options.threadId);
  /** Runs a callback that may open a root span under the thread's virtual root span. */
  const underRoot = <T>(parentRunId: string | undefined, start: () => T): T => {
    if (!root || parentRunId || trace.getSpan(context.active())) return start();
    return context.with(trace.setSpanContext(context.active(), root), start);
  };

  class ThreadCallbackHandler extends CallbackHandler {
    override handleChainStart(...args: Parameters<CallbackHandler["handleChainStart"]>) {
      return underRoot(args[3], () => super.handleChainStart(...args));
    }
    override handleChatModelStart(...args: Parameters<CallbackHandler["handleChatModelStart"]>) {
      return underRoot(args[3], () => super.handleChatModelStart(...args));
    }
    override handleLLMStart(...args: Parameters<CallbackHandler["handleLLMStart"]>) {
      return underRoot(args[3], () => super.handleLLMStart(...args));
    }
    override handleToolStart(...args: Parameters<CallbackHandler["handleToolStart"]>) {
      return underRoot(args[3], () => super.handleToolStart(...args));
    }
  }

  const sessionId = options.sessionId ?? options.threadId;
  return [
    new ThreadCallbackHandler({
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(options.userId === undefined ? {} : { userId: options.userId }),
      ...(options.tags ? { tags: [...options.tags] } : {}),
    }),
  ];
}

/**
 * The run's virtual root, as packages/core defines it: trace id sha256(thread)[0..32], span id
 * sha256("governor:run:" + thread)[0..16], remote and sampled.
 */
