import type { CircuitBreakerPolicy } from "cockatiel";
import {
  type CallLimitSettings,
  CallRefusedError,
  type CircuitStatus,
  type ToolCallLimits,
} from "./call-limits.js";
import { RateWindow } from "./rate-window.js";
import { circuitStatus, createBreaker, isCircuitOpen } from "./resilience.js";

/**
 * The default call limits: one cockatiel breaker and one rate window per tool, kept for as
 * long as this object lives. Every run of a gateway (a compile) shares them; another process,
 * or another compile, starts with its own, closed and empty. A tool's settings are read on its
 * first call, as its breaker is created then.
 */
export class InProcessToolCallLimits implements ToolCallLimits {
  readonly #breakers = new Map<string, CircuitBreakerPolicy | undefined>();
  readonly #windows = new Map<string, RateWindow | undefined>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async guard<T>(tool: string, settings: CallLimitSettings, tryOnce: () => Promise<T>): Promise<T> {
    // The rate limit is asked first: a try the breaker then refuses has spent its place, so
    // the window can only under-admit, never let more than `limit` calls start.
    const place = this.#window(tool, settings)?.take(this.#now());
    if (place && !place.ok) {
      throw new CallRefusedError(
        tool,
        "rate-limited",
        place.retryAfterMs,
        `rate limit of ${settings.rateLimit?.limit} calls per ${settings.rateLimit?.intervalMs} ms used up; not called (try again in ${place.retryAfterMs} ms)`,
      );
    }
    const breaker = this.#breaker(tool, settings);
    if (!breaker) return tryOnce();
    try {
      return await breaker.execute(tryOnce);
    } catch (error) {
      if (!isCircuitOpen(error)) throw error;
      throw new CallRefusedError(
        tool,
        "circuit-open",
        retryAfter(breaker, settings),
        "circuit breaker open after repeated failures; not called",
        { cause: error },
      );
    }
  }

  circuit(tool: string): CircuitStatus | undefined {
    const breaker = this.#breakers.get(tool);
    return breaker ? circuitStatus(breaker) : undefined;
  }

  #breaker(tool: string, settings: CallLimitSettings): CircuitBreakerPolicy | undefined {
    if (!this.#breakers.has(tool)) this.#breakers.set(tool, createBreaker(settings));
    return this.#breakers.get(tool);
  }

  #window(tool: string, settings: CallLimitSettings): RateWindow | undefined {
    if (!this.#windows.has(tool)) {
      const rate = settings.rateLimit;
      this.#windows.set(tool, rate && new RateWindow(rate.limit, rate.intervalMs));
    }
    return this.#windows.get(tool);
  }
}

/** How long until an open breaker lets a trial call through (cockatiel's state, read through toJSON). */
function retryAfter(breaker: CircuitBreakerPolicy, settings: CallLimitSettings): number {
  const state = (breaker.toJSON() as { ownState?: { openedAt?: unknown } }).ownState;
  const halfOpenAfterMs = settings.breaker?.halfOpenAfterMs ?? 0;
  if (typeof state?.openedAt !== "number") return halfOpenAfterMs;
  return Math.max(0, state.openedAt + halfOpenAfterMs - Date.now());
}
