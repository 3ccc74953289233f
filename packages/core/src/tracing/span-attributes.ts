import { GOVERNOR_SCOPE } from "@governor/observability";

/**
 * The attribute names Governor's spans carry. Three vocabularies, so any backend reads them:
 * - `gen_ai.*`: the OpenTelemetry GenAI semantic conventions (model calls, tool calls, agents);
 * - `langfuse.*`, `session.id`, `user.id`: what Langfuse's OTLP ingestion maps to observations,
 *   sessions and users (the names of `LangfuseOtelSpanAttributes` in @langfuse/core, spelled out
 *   here so core does not load that 18k-line bundle for a table of strings);
 * - `governor.*`: Governor's own decisions, which neither convention names.
 */
export const ATTR = {
  genAiOperation: "gen_ai.operation.name",
  genAiAgentName: "gen_ai.agent.name",
  genAiConversationId: "gen_ai.conversation.id",
  genAiRequestModel: "gen_ai.request.model",
  genAiResponseModel: "gen_ai.response.model",
  genAiInputTokens: "gen_ai.usage.input_tokens",
  genAiOutputTokens: "gen_ai.usage.output_tokens",
  genAiToolName: "gen_ai.tool.name",
  genAiToolCallId: "gen_ai.tool.call.id",

  sessionId: "session.id",
  userId: "user.id",
  traceName: "langfuse.trace.name",
  observationType: "langfuse.observation.type",
  observationLevel: "langfuse.observation.level",
  observationInput: "langfuse.observation.input",
  observationOutput: "langfuse.observation.output",
  observationModel: "langfuse.observation.model.name",
  observationUsage: "langfuse.observation.usage_details",
  observationCost: "langfuse.observation.cost_details",

  threadId: "governor.thread_id",
  workflow: "governor.workflow",
  segment: "governor.segment",
  runStatus: "governor.run.status",
  errorCode: "governor.error.code",
  node: "governor.node",
  nodeKind: "governor.node.kind",
  step: "governor.step",
  interrupted: "governor.interrupted",
  costUsd: "governor.cost_usd",
  usageSource: "governor.usage.source",
  auditKind: "governor.audit.kind",
  auditSeq: "governor.audit.seq",
  decision: "governor.decision",
  tool: "governor.tool",
  callId: "governor.call_id",
  policyIds: "governor.policy.ids",
  policyReasons: "governor.policy.reasons",
  policyVersion: "governor.policy.version",
  approver: "governor.approval.approver",
  approvalReason: "governor.approval.reason",
  idempotencyKey: "governor.idempotency_key",
  executionOutcome: "governor.execution.outcome",
} as const;

/** The instrumentation scope of every span Governor makes: an exporter keeps spans of this scope. */
export const GOVERNOR_TRACER = GOVERNOR_SCOPE;

/** The attribute names of Governor's spans, for code that reads exported traces. */
export const GOVERNOR_SPAN_ATTRIBUTES = ATTR;
