import { isGraphInterrupt } from "@langchain/langgraph";
import type { Span } from "@opentelemetry/api";
import { endSpan, governorTracer } from "./run-trace.js";
import { ATTR } from "./span-attributes.js";
import { holdOpen, parentContext } from "./span-parents.js";

/** Which node of which run a span covers. */
export interface NodeSpanInfo {
  readonly threadId: string;
  readonly node: string;
  /** The workflow node's kind (model, task, gate, action, …); `agent` for an agent loop's nodes. */
  readonly kind: string;
  readonly principal: string;
  readonly step: unknown;
}

/**
 * Runs one node (or one fused stage) inside its span, held open for everything the node does,
 * so its model call, tool call and audit records nest under it (see span-parents.ts). A node that interrupts (it
 * waits for a human) ends its span marked `governor.interrupted`, not as an error: the run is
 * not failing, it is waiting.
 */
export async function inNodeSpan<T>(info: NodeSpanInfo, run: () => Promise<T>): Promise<T> {
  const span = governorTracer().startSpan(info.node, undefined, parentContext(info.threadId));
  if (!span.isRecording()) return run();
  setNodeAttributes(span, info);
  const release = holdOpen(span, info.threadId, info.node);
  try {
    const result = await run();
    endSpan(span);
    return result;
  } catch (error) {
    if (isGraphInterrupt(error)) {
      span.setAttribute(ATTR.interrupted, true);
      endSpan(span);
    } else {
      endSpan(span, error);
    }
    throw error;
  } finally {
    release();
  }
}

function setNodeAttributes(span: Span, info: NodeSpanInfo): void {
  span.setAttributes({
    [ATTR.node]: info.node,
    [ATTR.nodeKind]: info.kind,
    [ATTR.threadId]: info.threadId,
    [ATTR.step]: String(info.step ?? "?"),
    [ATTR.sessionId]: info.threadId,
    [ATTR.userId]: info.principal,
    [ATTR.observationType]: info.kind === "agent" ? "agent" : "span",
  });
}
