import type { BaseMessage } from "@langchain/core/messages";
import type { Span } from "@opentelemetry/api";
import type { PrivacyOptions } from "../privacy/pii-mask.js";
import { maskedJson } from "./masked-json.js";
import { endSpan, governorTracer } from "./run-trace.js";
import { ATTR } from "./span-attributes.js";
import { parentContext } from "./span-parents.js";

/** What one model call cost and answered, for its generation span. */
export interface GenerationReport {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly source: string;
  readonly reply: BaseMessage;
}

/**
 * Opens the span of one model call (a Langfuse generation, a GenAI `chat` span) under the
 * node's span. The prompt is serialised only when the span records: with tracing off, a
 * model call pays for one no-op span.
 */
export function startGeneration(
  at: { readonly threadId: string; readonly node: string },
  requestModel: string,
  prompt: readonly BaseMessage[],
  privacy?: PrivacyOptions,
): Span {
  const span = governorTracer().startSpan(
    `chat ${requestModel}`,
    undefined,
    parentContext(at.threadId, at.node),
  );
  if (span.isRecording()) {
    span.setAttributes({
      [ATTR.genAiOperation]: "chat",
      [ATTR.genAiRequestModel]: requestModel,
      [ATTR.observationType]: "generation",
      [ATTR.observationInput]: maskedJson(prompt.map(messageForSpan), privacy),
    });
  }
  return span;
}

/** Closes a generation span with the model that answered, its token usage and cost. */
export function endGeneration(span: Span, report: GenerationReport, privacy?: PrivacyOptions): void {
  if (span.isRecording()) {
    const { model, inputTokens, outputTokens, costUsd } = report;
    span.setAttributes({
      [ATTR.genAiResponseModel]: model,
      [ATTR.genAiInputTokens]: inputTokens,
      [ATTR.genAiOutputTokens]: outputTokens,
      [ATTR.observationModel]: model,
      [ATTR.observationUsage]: JSON.stringify({
        input: inputTokens,
        output: outputTokens,
        total: inputTokens + outputTokens,
      }),
      [ATTR.observationCost]: JSON.stringify({ total: costUsd }),
      [ATTR.costUsd]: costUsd,
      [ATTR.usageSource]: report.source,
      [ATTR.observationOutput]: maskedJson(replyForSpan(report.reply), privacy),
    });
  }
  endSpan(span);
}

/** Closes a generation span whose call failed. */
export function failGeneration(span: Span, error: unknown): void {
  endSpan(span, error);
}

function messageForSpan(message: BaseMessage): { role: string; content: unknown } {
  return { role: message.getType(), content: message.content };
}

function replyForSpan(reply: BaseMessage): unknown {
  const calls = (reply as { tool_calls?: { name: string; args: unknown; id?: string }[] }).tool_calls ?? [];
  return {
    content: reply.content,
    toolCalls: calls.map((call) => ({ name: call.name, args: call.args, id: call.id })),
  };
}
