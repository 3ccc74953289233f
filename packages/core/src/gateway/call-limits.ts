import { GovernorError } from "@governor/errors";
import type { Awaitable } from "@governor/observability";
import { isGraphBubbleUp } from "@langchain/langgraph";

/** What a tool's breaker and rate limit are told about the tool: its declared settings, with defaults. */
export interface CallLimitSettings {
  /** One try's timeout: how long a half-open trial call may hold the only probe. */
  readonly timeoutMs: number;
  readonly breaker?: { readonly threshold: number; readonly halfOpenAfterMs: number };
  readonly rateLimit?: { readonly limit: number; readonly intervalMs: number };
}

export type CircuitStatus = "closed" | "open" | "half-open" | "isolated";

/** Why a try was refused before it ran. */
export type CallRefusalReason = "circuit-open" | "rate-limited" | "limits-unavailable";

const REFUSAL_CODES = {
  "circuit-open": "CIRCUIT_OPEN",
  "rate-limited": "RATE_LIMITED",
  // The limits live in a store (Redis) that cannot be asked: fail closed, the call is not made.
  "limits-unavailable": "STORE_UNREACHABLE",
} as const;

/**
 * A try the call limits did not let run: its breaker is open (or another worker holds the
 * half-open probe), its rate limit is used up, or the limits could not be asked. The handler
 * was not invoked; `retryAfterMs` says when asking again may succeed.
 */
export class CallRefusedError extends GovernorError {
  // A flag as well as the class: a second copy of core (a child process's build) still recognises it.
  readonly isCallRefusedError = true;

  constructor(
    readonly tool: string,
    readonly reason: CallRefusalReason,
    readonly retryAfterMs: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(REFUSAL_CODES[reason], message, { tool, reason, retryAfterMs }, options);
  }
}

export function isCallRefused(error: unknown): error is CallRefusedError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as Record<string, unknown>).isCallRefusedError === true
  );
}

/**
 * Thrown by a try that stopped before calling the tool (another worker claimed the call
 * first): the tool was not asked, so the limits do not count it and it is not retried.
 */
export class NotCalledError extends Error {
  readonly isNotCalledError = true;
}

/**
 * Whether a try's error counts as the tool failing, towards its breaker and its retries.
 * LangGraph's control-flow errors (interrupts) are not failures, nor is a refusal by the call
 * limits or a try that stopped before the call: the tool was never asked.
 */
export function isToolFailure(error: unknown): boolean {
  const notCalled = (error as { isNotCalledError?: unknown } | null)?.isNotCalledError === true;
  return !isGraphBubbleUp(error) && !isCallRefused(error) && !notCalled;
}

/**
 * The circuit breakers and rate limits a gateway puts around every try of a tool. The default
 * (`InProcessToolCallLimits`) keeps them in the process; `RedisToolCallLimits`
 * (@governor/resilience-redis) shares them across a pool of workers, so an outage one worker
 * sees opens the breaker for all, and a downstream API's limit holds for the pool as a whole.
 *
 * One method wraps one try rather than separate admit/record calls: the in-process breaker is
 * cockatiel's, which only counts outcomes of the function it runs, and a wrapper cannot forget
 * to report an outcome.
 */
export interface ToolCallLimits {
  /**
   * Runs `tryOnce` if the tool's breaker and rate limit admit it, and counts its outcome
   * towards the breaker (LangGraph's control-flow errors and refusals do not count). What the
   * try returns or throws passes through unchanged.
   *
   * @throws {CallRefusedError} CIRCUIT_OPEN, RATE_LIMITED or STORE_UNREACHABLE when the try was
   *   not run.
   */
  guard<T>(tool: string, settings: CallLimitSettings, tryOnce: () => Promise<T>): Promise<T>;
  /** The tool's breaker as these limits know it; undefined when it has none or was never called. */
  circuit(tool: string): Awaitable<CircuitStatus | undefined>;
}
