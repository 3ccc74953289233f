import { endSpan, governorTracer, runRootContext } from "./run-trace.js";
import { ATTR } from "./span-attributes.js";
import { holdOpen } from "./span-parents.js";
import { untracedContext } from "./untraced-threads.js";

/** One stretch of a run driven by one call in one process: its start, a resume, a recovery. */
export interface SegmentInfo {
  readonly threadId: string;
  readonly workflow: string;
  readonly principal: string;
  readonly segment: "start" | "resume" | "recover";
}

/** How a segment ended, as the runtime reports it. */
export interface SegmentEnd {
  readonly status: "completed" | "waiting" | "failed";
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Drives one segment of a run inside its span (a GenAI `invoke_agent` span, a Langfuse agent
 * observation), under the run's virtual root: a run that waits for a human and is resumed by
 * another process is one trace with a segment per process. The span names the session (the
 * thread) and the user (the principal), so Langfuse groups a run's segments and a user's runs.
 */
export async function inRunSegment<T extends SegmentEnd>(
  info: SegmentInfo,
  drive: () => Promise<T>,
): Promise<T> {
  const parent = untracedContext(info.threadId) ?? runRootContext(info.threadId);
  const span = governorTracer().startSpan(`invoke_agent ${info.workflow}`, undefined, parent);
  const recording = span.isRecording();
  if (recording) {
    span.setAttributes({
      [ATTR.genAiOperation]: "invoke_agent",
      [ATTR.genAiAgentName]: info.workflow,
      [ATTR.genAiConversationId]: info.threadId,
      [ATTR.sessionId]: info.threadId,
      [ATTR.userId]: info.principal,
      [ATTR.traceName]: info.workflow,
      [ATTR.observationType]: "agent",
      [ATTR.threadId]: info.threadId,
      [ATTR.workflow]: info.workflow,
      [ATTR.segment]: info.segment,
    });
  }
  let outcome: T;
  const release = holdOpen(span, info.threadId);
  try {
    outcome = await drive();
  } catch (error) {
    endSpan(span, error);
    throw error;
  } finally {
    release();
  }
  if (recording) {
    span.setAttribute(ATTR.runStatus, outcome.status);
    if (outcome.error) span.setAttribute(ATTR.errorCode, outcome.error.code);
  }
  endSpan(span, outcome.status === "failed" ? (outcome.error?.message ?? "the run failed") : undefined);
  return outcome;
}
