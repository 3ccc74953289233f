/** Where one tool's shared limits live in Redis: every key under `<prefix>:<tool>:`. */
export interface LimitKeys {
  /** When the open breaker lets a trial call through (ms, Redis clock); absent while closed. */
  readonly openUntil: string;
  /** The one worker allowed to make the half-open trial call holds this (SET NX PX). */
  readonly probe: string;
  /** Consecutive failed tries. */
  readonly failures: string;
  /** Start times of the calls admitted in the current window (a sorted set). */
  readonly window: string;
}

export const DEFAULT_KEY_PREFIX = "governor:limits";

export function limitKeys(prefix: string, tool: string): LimitKeys {
  // A tool name is a function name for model APIs (letters, digits, _ and -): safe in a key.
  const base = `${prefix}:${tool}`;
  return {
    openUntil: `${base}:breaker:open-until`,
    probe: `${base}:breaker:probe`,
    failures: `${base}:breaker:failures`,
    window: `${base}:rate:window`,
  };
}
