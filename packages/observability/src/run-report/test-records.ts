import type { AuditEntry, AuditRecord } from "../audit-record.js";
import type { RunSummary } from "./run-summary.js";

/** Audit records for the run-report tests: seq and time advance with each one, hashes are placeholders. */
export function recordsOf(
  entries: readonly (Omit<AuditEntry, "data"> & { data?: Record<string, unknown> })[],
): AuditRecord[] {
  return entries.map((entry, index) => ({
    ...entry,
    data: entry.data ?? {},
    seq: index + 1,
    at: new Date(Date.UTC(2026, 11, 1, 9, 0, index)).toISOString(),
    prevHash: "0".repeat(64),
    hash: String(index).padStart(64, "0"),
  }));
}

export function modelRecord(
  threadId: string,
  model: string,
  inputTokens: number,
  outputTokens: number,
  costUsd: number,
  extra: Record<string, unknown> = {},
): Omit<AuditEntry, "data"> & { data: Record<string, unknown> } {
  return {
    threadId,
    kind: "model",
    outcome: "answered",
    node: "respond",
    data: {
      model,
      usage: { inputTokens, outputTokens, source: "reported" },
      costUsd,
      toolCalls: [],
      ...extra,
    },
  };
}

export function summaryOf(threadId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    threadId,
    workflow: "refund",
    status: "completed",
    principal: "agent:support",
    createdAt: "2026-12-01T09:00:00.000Z",
    updatedAt: "2026-12-01T09:01:00.000Z",
    ...overrides,
  };
}
