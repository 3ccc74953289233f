import { isGraphBubbleUp } from "@langchain/langgraph";
import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
} from "cockatiel";
import type { AnyTool } from "../tools/define-tool.js";
import { type CallLimitSettings, type CircuitStatus, isCallRefused, isToolFailure } from "./call-limits.js";

export type { CircuitStatus } from "./call-limits.js";

/** What a tool gets when it declares nothing (or only part of a setting). */
export const RESILIENCE_DEFAULTS = {
  timeoutMs: 10_000,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 2_000 },
  circuitBreaker: { threshold: 5, halfOpenAfterMs: 30_000 },
} as const;

/** Why a call produced no result. */
export type ExecutionFailureReason =
  | "failed"
  | "timeout"
  | "circuit-open"
  | "rate-limited"
  | "limits-unavailable"
  | "outcome-unknown";

/** A tool's declared resilience with defaults applied and the idempotency rule enforced. */
export interface ResilienceSettings extends CallLimitSettings {
  readonly timeoutMs: number;
  /** Tries in all: always 1 for a tool that is not idempotent. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly breaker?: { readonly threshold: number; readonly halfOpenAfterMs: number };
}

export function resilienceOf(tool: AnyTool): ResilienceSettings {
  const retryable = tool.idempotent === true && tool.retry !== undefined;
  const retryOptions = { ...RESILIENCE_DEFAULTS.retry, ...(retryable ? tool.retry : {}) };
  return {
    timeoutMs: tool.timeoutMs ?? RESILIENCE_DEFAULTS.timeoutMs,
    maxAttempts: retryable ? retryOptions.maxAttempts : 1,
    initialDelayMs: retryOptions.initialDelayMs,
    maxDelayMs: retryOptions.maxDelayMs,
    breaker:
      tool.circuitBreaker === false
        ? undefined
        : { ...RESILIENCE_DEFAULTS.circuitBreaker, ...tool.circuitBreaker },
    rateLimit: tool.rateLimit && { limit: tool.rateLimit.limit, intervalMs: tool.rateLimit.intervalMs },
  };
}

// LangGraph's control-flow errors are not failures: no policy may count, retry or swallow them.
// Nor is a refusal by the call limits: the tool was never asked.
const notControlFlow = (error: Error) => isToolFailure(error);

/** The in-process breaker for one tool (see InProcessToolCallLimits), for as long as its limits live. */
export function createBreaker(settings: CallLimitSettings): CircuitBreakerPolicy | undefined {
  if (!settings.breaker) return undefined;
  return circuitBreaker(handleWhen(notControlFlow), {
    halfOpenAfter: settings.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breaker.threshold),
  });
}

/** One try of the handler, under its own timeout signal. */
export type TryFn<T> = (signal: AbortSignal) => Promise<T>;

/** Runs one try under the tool's breaker and rate limit: `ToolCallLimits.guard` bound to the tool. */
export type TryGuard = <T>(tryOnce: () => Promise<T>) => Promise<T>;

/**
 * Runs `fn` under retry (outermost), the tool's call limits (breaker and rate limit), then a
 * per-try timeout. The limits sit inside the retry so every failed try counts towards opening
 * the breaker, and a refused try (open breaker, rate limit used up, limits unreachable) is not
 * retried into: waiting out a breaker or another worker's window inside a node would hold the
 * worker, so the refusal goes to the workflow's `failed` edge or the tool's fallback at once.
 * The timeout is aggressive: the gateway stops waiting at the deadline whether or not the
 * handler honours its aborted signal.
 */
export function runResilient<T>(
  settings: ResilienceSettings,
  guard: TryGuard,
  hooks: { beforeFirstTry?: () => Promise<void> },
  fn: TryFn<T>,
): Promise<T> {
  const perTry = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  const attempt = async ({ signal }: { signal: AbortSignal }) => {
    try {
      return await fn(signal);
    } catch (error) {
      // A handler that stops on the aborted signal throws its own error; it is still a timeout.
      if (signal.aborted && !isGraphBubbleUp(error)) throw new TaskCancelledError(timeoutMessage(settings));
      throw error;
    }
  };
  // The hook runs once, inside the first admitted try and outside its timeout (the effect
  // journal's claim: a refused try must leave no claim behind).
  let first = true;
  const guarded = () =>
    guard(async () => {
      if (first) {
        first = false;
        await hooks.beforeFirstTry?.();
      }
      return perTry.execute(attempt);
    });
  if (settings.maxAttempts <= 1) return guarded();
  return retry(handleWhen(notControlFlow), {
    // cockatiel counts retries after the first try; ours counts every try.
    maxAttempts: settings.maxAttempts - 1,
    backoff: new ExponentialBackoff({
      initialDelay: settings.initialDelayMs,
      maxDelay: settings.maxDelayMs,
    }),
  }).execute(guarded);
}

/** Sorts what a resilient run threw into the reason the caller sees, with a readable message. */
export function classifyFailure(
  error: unknown,
  settings: ResilienceSettings,
): { reason: ExecutionFailureReason; error: string; code?: string; retryAfterMs?: number } {
  if (isCallRefused(error)) {
    return { reason: error.reason, error: error.message, code: error.code, retryAfterMs: error.retryAfterMs };
  }
  if (hasFlag(error, "isTaskCancelledError")) return { reason: "timeout", error: timeoutMessage(settings) };
  return { reason: "failed", error: error instanceof Error ? error.message : String(error) };
}

export function circuitStatus(breaker: CircuitBreakerPolicy): CircuitStatus {
  switch (breaker.state) {
    case CircuitState.Open:
      return "open";
    case CircuitState.HalfOpen:
      return "half-open";
    case CircuitState.Isolated:
      return "isolated";
    default:
      return "closed";
  }
}

// cockatiel 3.2.1's isTaskCancelledError and isIsolatedCircuitError test the wrong flag
// (isBulkheadRejectedError); its errors carry their own flags, so read those.
function hasFlag(error: unknown, flag: string): boolean {
  return typeof error === "object" && error !== null && (error as Record<string, unknown>)[flag] === true;
}

export function isCircuitOpen(error: unknown): boolean {
  return hasFlag(error, "isBrokenCircuitError") || hasFlag(error, "isIsolatedCircuitError");
}

function timeoutMessage(settings: ResilienceSettings): string {
  return `no result within ${settings.timeoutMs} ms`;
}
