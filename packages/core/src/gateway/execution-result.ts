import type { ExecutionFailureReason } from "./resilience.js";

/** How one tool failed to produce a result. */
export interface ToolFailure {
  readonly tool: string;
  readonly reason: ExecutionFailureReason;
  readonly error: string;
  readonly attempts: number;
  readonly idempotencyKey: string;
}

interface ExecutionCommon {
  /** The tool whose outcome this is: the fallback's name when a fallback was tried. */
  readonly tool: string;
  readonly idempotencyKey: string;
  /** Handler invocations behind this outcome: 0 when read back from the journal or refused before running. */
  readonly attempts: number;
  /** The declared tool failed and its fallback tool was tried; `primary` says how the declared tool failed. */
  readonly fallback: boolean;
  readonly primary?: ToolFailure;
}

export interface ExecutionSuccess extends ExecutionCommon {
  readonly ok: true;
  readonly result: unknown;
  /** Read back from the effect journal: the handler did not run again. */
  readonly replayed: boolean;
}

export interface ExecutionFailure extends ExecutionCommon {
  readonly ok: false;
  readonly reason: ExecutionFailureReason;
  readonly error: string;
  /** The failure was read back from the journal: the handler did not run again. */
  readonly replayed: boolean;
  /** The tool declares `fallback: { escalate: true }`: a human should take the call over. */
  readonly escalated: boolean;
}

/** What `ToolGateway.execute` reports: a result, or a failure with its reason; it never throws for a handler's failure. */
export type ExecutionResult = ExecutionSuccess | ExecutionFailure;

/** The error code a failure becomes when the workflow has no edge to catch it. */
export function errorCodeOf(
  failure: ExecutionFailure,
): "ESCALATED" | "TOOL_TIMEOUT" | "CIRCUIT_OPEN" | "RATE_LIMITED" | "STORE_UNREACHABLE" | "TOOL_FAILED" {
  if (failure.escalated) return "ESCALATED";
  if (failure.reason === "timeout") return "TOOL_TIMEOUT";
  if (failure.reason === "circuit-open") return "CIRCUIT_OPEN";
  if (failure.reason === "rate-limited") return "RATE_LIMITED";
  // The shared call limits (Redis) could not be asked: the call was refused, not tried.
  if (failure.reason === "limits-unavailable") return "STORE_UNREACHABLE";
  return "TOOL_FAILED";
}

/**
 * One sentence for the model (and the operator) on what happened to a call, e.g.
 * "issue_refund timed out (no result within 10000 ms); escalated to a human".
 */
export function describeExecution(result: ExecutionResult): string {
  const primary = result.primary ? `${describeFailure(result.primary)}; ` : "";
  if (result.ok) return result.fallback ? `${primary}ran ${result.tool} instead` : `${result.tool} succeeded`;
  const fallback = result.fallback ? "fallback " : "";
  const escalated = result.escalated ? "; escalated to a human" : "";
  return `${primary}${fallback}${describeFailure(result)}${escalated}`;
}

function describeFailure(failure: Pick<ToolFailure, "tool" | "reason" | "error">): string {
  switch (failure.reason) {
    case "timeout":
      return `${failure.tool} timed out (${failure.error})`;
    case "circuit-open":
    case "limits-unavailable":
      return `${failure.tool} is unavailable (${failure.error})`;
    case "rate-limited":
      return `${failure.tool} is rate-limited (${failure.error})`;
    case "outcome-unknown":
      return `${failure.tool}: ${failure.error}`;
    default:
      return `${failure.tool} failed: ${failure.error}`;
  }
}
