import type { AuditRecord } from "../audit-record.js";
import { type PlainJson, toPlainJson } from "../plain-json.js";
import { modelUseOf } from "./run-totals.js";
import type { ControlEntry, RunEventEntry, TimelineEntry } from "./timeline.js";

/** Data fields a control entry shows elsewhere (or that only bind records together), left out of its `details`. */
const SHOWN = new Set(["callId", "reasons", "reason", "tool"]);

/**
 * The timeline entry for one audit record. Every kind of record becomes an entry: a record
 * the report does not understand in detail still shows as its kind and outcome, never dropped.
 */
export function timelineEntryOf(record: AuditRecord): TimelineEntry {
  const data = record.data;
  const base = {
    seq: record.seq,
    at: record.at,
    ...(record.node !== undefined ? { node: record.node } : {}),
  };
  const tool = record.tool !== undefined ? { tool: record.tool } : {};
  const callId = optionalString(data, "callId");
  switch (record.kind) {
    case "run":
      return runEntry(base, record);
    case "model": {
      const use = modelUseOf(record);
      const usage = (data.usage ?? {}) as Record<string, unknown>;
      return {
        ...base,
        type: "model",
        outcome: record.outcome,
        model: use.model,
        inputTokens: use.inputTokens,
        outputTokens: use.outputTokens,
        ...optional("tokenSource", typeof usage.source === "string" ? usage.source : undefined),
        costUsd: use.costUsd,
        ...optional("latencyMs", typeof data.latencyMs === "number" ? data.latencyMs : undefined),
        toolCalls: toolNames(data.toolCalls),
        ...optional("text", optionalString(data, "text")),
        ...optional("purpose", optionalString(data, "purpose")),
        ...optional("turn", typeof data.turn === "number" ? data.turn : undefined),
      };
    }
    case "identity":
    case "contract":
    case "precondition":
    case "policy":
      return {
        ...base,
        type: "decision",
        control: record.kind,
        outcome: record.outcome,
        ...tool,
        ...optional("callId", callId),
        reasons: reasonsOf(data),
        policyIds: strings(data.policyIds),
        ...optional("policyVersion", optionalString(data, "policyVersion")),
      };
    case "approval":
      return {
        ...base,
        type: "approval",
        outcome: record.outcome,
        ...tool,
        ...optional("callId", callId),
        ...optional("requestId", optionalString(data, "requestId")),
        ...optional("approver", optionalString(data, "approver")),
        ...optional("reason", optionalString(data, "reason")),
        reasons: strings(data.reasons),
      };
    case "execution":
      return {
        ...base,
        type: "tool",
        outcome: record.outcome,
        ...tool,
        ...optional("callId", callId),
        ...optional("idempotencyKey", optionalString(data, "idempotencyKey")),
        ...optional("attempts", typeof data.attempts === "number" ? data.attempts : undefined),
        ...(data.result !== undefined ? { result: toPlainJson(data.result) } : {}),
        ...optional("error", errorText(data.error) ?? reasonsOf(data)[0]),
      };
    default:
      return controlEntry(base, record);
  }
}

function runEntry(base: Omit<RunEventEntry, "type" | "outcome">, record: AuditRecord): RunEventEntry {
  const data = record.data;
  const requests = Array.isArray(data.requests) ? data.requests : data.request ? [data.request] : [];
  const waitingFor = requests
    .filter((request): request is Record<string, unknown> => typeof request === "object" && request !== null)
    .map((request) => ({
      type: typeof request.type === "string" ? request.type : "request",
      ...optional("tool", optionalString(request, "tool")),
      ...optional("requestId", optionalString(request, "requestId")),
    }));
  return {
    ...base,
    type: "run",
    outcome: record.outcome,
    ...optional("error", errorText(data.error) ?? optionalString(data, "message")),
    ...(waitingFor.length ? { waitingFor } : {}),
  };
}

function controlEntry(
  base: Omit<ControlEntry, "type" | "outcome" | "reasons" | "details">,
  record: AuditRecord,
): ControlEntry {
  const details: Record<string, PlainJson> = {};
  for (const [key, value] of Object.entries(record.data)) {
    if (!SHOWN.has(key) && value !== undefined) details[key] = toPlainJson(value);
  }
  return {
    ...base,
    type: record.kind as ControlEntry["type"],
    outcome: record.outcome,
    ...(record.tool !== undefined ? { tool: record.tool } : {}),
    reasons: reasonsOf(record.data),
    details,
  };
}

/** A record's reasons: its `reasons` list, else its single `reason`. */
function reasonsOf(data: Readonly<Record<string, unknown>>): string[] {
  const list = strings(data.reasons);
  if (list.length) return list;
  const one = optionalString(data, "reason");
  return one !== undefined ? [one] : [];
}

function toolNames(calls: unknown): string[] {
  if (!Array.isArray(calls)) return [];
  return calls.flatMap((call) =>
    typeof call === "object" && call !== null && typeof (call as { tool?: unknown }).tool === "string"
      ? [(call as { tool: string }).tool]
      : [],
  );
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function optionalString(data: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = data[key];
  return typeof value === "string" ? value : undefined;
}

/** An error as audited: a message string, or an object with one (a normalized Error, a GovernorError's fields). */
function errorText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const { message, code } = value as { message?: unknown; code?: unknown };
    if (typeof message === "string") return typeof code === "string" ? `${code}: ${message}` : message;
  }
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
