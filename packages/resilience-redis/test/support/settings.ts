import type { CallLimitSettings } from "@governor/core";

/** A breaker that opens after 3 consecutive failures and stays open far longer than any test. */
export const BREAKER: CallLimitSettings = {
  timeoutMs: 5_000,
  breaker: { threshold: 3, halfOpenAfterMs: 10 * 60_000 },
};

/** 5 calls a minute: a window that cannot roll over while a test runs, so counts are exact. */
export const RATE: CallLimitSettings = { timeoutMs: 5_000, rateLimit: { limit: 5, intervalMs: 60_000 } };
