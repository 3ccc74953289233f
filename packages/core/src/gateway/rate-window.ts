/**
 * An in-process rate limiter for one tool: the start times of the calls admitted in the last
 * `intervalMs` (a sliding-window log). cockatiel has no rate limiter. A log, not a token
 * bucket, because it is exactly what `rateLimit` promises (at most `limit` starts in any
 * window, with no burst allowance to explain) and it never holds more than `limit` times.
 */
export class RateWindow {
  readonly #starts: number[] = [];

  constructor(
    readonly limit: number,
    readonly intervalMs: number,
  ) {}

  /** Takes a place in the window, or answers how long until the oldest place frees up. */
  take(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const since = now - this.intervalMs;
    let expired = 0;
    while (expired < this.#starts.length && (this.#starts[expired] ?? now) <= since) expired++;
    if (expired > 0) this.#starts.splice(0, expired);
    const oldest = this.#starts[0];
    if (this.#starts.length >= this.limit && oldest !== undefined) {
      return { ok: false, retryAfterMs: Math.max(1, oldest + this.intervalMs - now) };
    }
    this.#starts.push(now);
    return { ok: true };
  }
}
