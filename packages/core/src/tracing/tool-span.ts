import type { PrivacyOptions } from "../privacy/pii-mask.js";
import { maskedJson } from "./masked-json.js";
import { endSpan, governorTracer } from "./run-trace.js";
import { ATTR } from "./span-attributes.js";
import { holdOpen, parentContext } from "./span-parents.js";

/** One tool execution as its span sees it. */
export interface ToolSpanInfo {
  readonly threadId: string;
  readonly node: string;
  readonly tool: string;
  readonly callId: string;
  readonly idempotencyKey: string;
  readonly args: unknown;
}

/** What a tool execution came to, as far as its span reports it. */
export interface ToolSpanOutcome {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
  readonly reason?: string;
  readonly replayed: boolean;
}

/**
 * Runs one tool execution (journal check, handler with its retries, commit) inside a GenAI
 * `execute_tool` span, held open so the execution's audit record nests under it. A failure the
 * gateway returns (not throws) still marks the span as an error.
 */
export async function inToolSpan<T extends ToolSpanOutcome>(
  info: ToolSpanInfo,
  privacy: PrivacyOptions | undefined,
  run: () => Promise<T>,
): Promise<T> {
  // The node's span when a Governor node runs the call; the run's root for a prebuilt tool node in the user's own graph.
  const parent = parentContext(info.threadId, info.node);
  const span = governorTracer().startSpan(`execute_tool ${info.tool}`, undefined, parent);
  const recording = span.isRecording();
  if (recording) {
    span.setAttributes({
      [ATTR.genAiOperation]: "execute_tool",
      [ATTR.genAiToolName]: info.tool,
      [ATTR.genAiToolCallId]: info.callId,
      [ATTR.observationType]: "tool",
      [ATTR.idempotencyKey]: info.idempotencyKey,
      [ATTR.observationInput]: maskedJson(info.args, privacy),
    });
  }
  let outcome: T;
  const release = recording ? holdOpen(span, info.threadId, info.node, info.callId) : undefined;
  try {
    outcome = await run();
  } catch (error) {
    endSpan(span, error);
    throw error;
  } finally {
    release?.();
  }
  if (recording) {
    const executed = outcome.ok ? (outcome.replayed ? "replayed" : "executed") : (outcome.reason ?? "failed");
    span.setAttributes({
      [ATTR.executionOutcome]: executed,
      [ATTR.observationOutput]: maskedJson(outcome.ok ? outcome.result : { error: outcome.error }, privacy),
    });
  }
  endSpan(span, outcome.ok ? undefined : new Error(outcome.error ?? "the tool call failed"));
  return outcome;
}
