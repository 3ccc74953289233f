import type { PolicyEffect } from "@governor/policy";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";

/**
 * What a run reports as it goes, on LangGraph's `custom` stream: the CLI prints these,
 * and Studio and SDK clients receive them with `streamMode: "custom"`.
 */
export type GovernorEvent =
  | { type: "model"; node: string; text: string; toolCalls: { tool: string; args: unknown }[] }
  | { type: "task"; node: string; fields: string[] }
  | { type: "refused-tool"; node: string; tool: string; reason: string }
  | { type: "precondition"; node: string; tool: string; ok: boolean; reason?: string }
  | {
      type: "policy";
      node: string;
      tool: string;
      effect: PolicyEffect;
      stage: string;
      reasons: readonly string[];
      policyIds: readonly string[];
    }
  | { type: "approval"; node: string; tool: string; approved: boolean; approver: string; reason?: string }
  /**
   * The error event of a refused answer (resume value): the run still waits at `node`. The
   * same reason is on the request as `refusal` (see ApprovalRequest) and in the audit journal.
   */
  | {
      type: "approval-refused";
      node: string;
      tool: string;
      reason: string;
      code?: "APPROVAL_INVALID";
      /** Which answer of the wait it was (0 for the first). */
      attempt?: number;
    }
  | {
      type: "action";
      node: string;
      tool: string;
      ok: boolean;
      result?: unknown;
      error?: string;
      replayed?: boolean;
    }
  | { type: "route"; node: string; branch: string }
  /** A step's routing rules chose `model` (by name) for this turn; `runs` is the model that is called. */
  | { type: "model-route"; node: string; model: string; reason: string; rule?: number; runs: string }
  | { type: "turn-limit"; node: string; turns: number; maxTurns: number }
  | { type: "handoff"; node: string; from: string; to: string }
  | { type: "approvals-waiting"; node: string; requests: number }
  /** A step read `facts` facts from memory (`omitted` more were left out for its token budget). */
  | { type: "memory-read"; node: string; facts: number; omitted: number }
  /** A memory write: what each fact write did; `pending` wait for `governor memory approve`. */
  | {
      type: "memory-write";
      node: string;
      events: { event: string; status: string; key: string; reason?: string }[];
      pending: { requestId: string; summary: string }[];
    };

export function emit(config: LangGraphRunnableConfig, event: GovernorEvent): void {
  config.writer?.(event);
}
