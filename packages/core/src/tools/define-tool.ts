import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { z } from "zod";
import { checkResilience } from "../gateway/check-resilience.js";

/** How much a call can change the world: reads are cheap to allow, destructive calls are what approvals are for. */
export type ToolRisk = "read" | "write" | "destructive";

/** What a handler is told about the call it runs. */
export interface ToolCallContext {
  readonly threadId: string;
  readonly principal: Principal;
  /** Stable across retries and resumes of the same call: pass it to downstream APIs that deduplicate. */
  readonly idempotencyKey: string;
  /**
   * Aborted when the call times out. The gateway stops waiting at the timeout either way;
   * a handler that passes this to `fetch` (or checks it) actually stops its work too.
   */
  readonly signal: AbortSignal;
  /** 1 for the first try; higher only when an idempotent tool is retried. */
  readonly attempt: number;
}

/**
 * Retries with exponential backoff (jittered). Honoured only for tools declared
 * `idempotent: true`: a tool that is not idempotent is never retried, whatever it declares,
 * because a second try after an ambiguous failure could act twice.
 */
export interface RetryOptions {
  /** Tries in all, the first included. Default: 3. */
  readonly maxAttempts?: number;
  /** Delay before the second try. Default: 100 ms. */
  readonly initialDelayMs?: number;
  /** Cap on any one delay. Default: 2 s. */
  readonly maxDelayMs?: number;
}

/**
 * Stops calling a tool that keeps failing. One breaker per tool per gateway: every run in
 * the process shares it, so one run's failures spare the next run the wait.
 */
export interface CircuitBreakerOptions {
  /** Consecutive failed tries that open the breaker. Default: 5. */
  readonly threshold?: number;
  /** How long an open breaker refuses calls before letting one trial call through. Default: 30 s. */
  readonly halfOpenAfterMs?: number;
}

/**
 * At most `limit` calls of the tool start in any `intervalMs`, counted across everything that
 * shares the gateway's call limits: one process by default, the whole worker pool with shared
 * limits (e.g. `RedisToolCallLimits`). A call over the limit is not made: it fails with reason
 * "rate-limited" (code RATE_LIMITED) and is not retried, so the workflow's `failed` edge or the
 * tool's fallback decides what happens next.
 */
export interface RateLimitOptions {
  /** Calls that may start in one window: a positive integer. */
  readonly limit: number;
  /** The window's length. */
  readonly intervalMs: number;
}

/**
 * What happens when the tool still fails after its timeout, retries and breaker:
 * run another tool of the workflow with the same arguments (its scopes and contract are
 * checked again, and it keeps its own timeout, retry and breaker, but its own `{ tool }`
 * fallback is not followed), or hand the call to a human. A call whose outcome is unknown
 * never falls back to another tool: the first may have acted.
 */
export type ToolFallback = { readonly tool: string } | { readonly escalate: true };

/** A tool as declared once: the gateway's only way to a side effect. */
export interface ToolDefinition<TInput extends z.ZodType = z.ZodType, TOutput = unknown> {
  readonly name: string;
  readonly description: string;
  /** The contract: arguments the model proposes are parsed by it, and refused when they do not parse. */
  readonly input: TInput;
  /** Every scope a principal must hold for the call to run. */
  readonly scopes: readonly string[];
  readonly risk: ToolRisk;
  /** Safe to run twice with the same arguments; only such tools are retried or re-run after a crash. */
  readonly idempotent?: boolean;
  /** How long one try may take before it counts as failed. Default: 10 s. */
  readonly timeoutMs?: number;
  /** Ignored unless `idempotent: true`. Default: one try. */
  readonly retry?: RetryOptions;
  /** Default: opens after 5 consecutive failures, half-opens after 30 s; `false` turns it off. */
  readonly circuitBreaker?: CircuitBreakerOptions | false;
  /** Default: none. Honours a downstream API's limit, e.g. `{ limit: 100, intervalMs: 60_000 }`. */
  readonly rateLimit?: RateLimitOptions;
  /** Default: none; the action's `failed` edge (or an error) takes the failure. */
  readonly fallback?: ToolFallback;
  /** The largest proposed arguments, as JSON bytes, the contract accepts. Default: 256 KB. */
  readonly maxArgumentBytes?: number;
  readonly handler: (args: z.output<TInput>, context: ToolCallContext) => TOutput | Promise<TOutput>;
}

/** Any tool, whatever its types, as collections of tools hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools needs an open handler type.
export type AnyTool = ToolDefinition<z.ZodType, any>;

const TOOL_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/**
 * Declares a tool. The model can only propose calls to it; the gateway decides whether the
 * handler runs.
 *
 * @throws {GovernorError} CONFIG_INVALID when the name is not a valid function name for model
 *   APIs, or a timeout, retry, breaker, rate limit or fallback setting is out of range.
 * @example
 * const issueRefund = defineTool({
 *   name: "issue_refund", description: "Refund part of an order", risk: "write",
 *   input: z.object({ orderId: z.string(), amount: z.number().positive() }),
 *   scopes: ["refunds:write"], timeoutMs: 5_000, fallback: { escalate: true },
 *   handler: async ({ orderId, amount }, { idempotencyKey, signal }) =>
 *     payments.refund(orderId, amount, { idempotencyKey, signal }),
 * });
 */
export function defineTool<TInput extends z.ZodType, TOutput>(
  definition: ToolDefinition<TInput, TOutput>,
): ToolDefinition<TInput, TOutput> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Tool name "${definition.name}" must start with a letter and use only letters, digits, _ or - (at most 64)`,
      { tool: definition.name },
    );
  }
  checkResilience(definition);
  return Object.freeze({ ...definition, scopes: [...definition.scopes] });
}
