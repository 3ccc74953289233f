import { setTimeout as sleep } from "node:timers/promises";
import { countError, errorKind } from "./error-kinds.js";
import type { SessionEnd } from "./load-workload.js";
import { inSession, SessionClock } from "./session-clock.js";

/** What a batch of sessions driven in this process ended as. */
export interface DrivenSessions {
  readonly clocks: readonly SessionClock[];
  readonly completed: number;
  readonly waiting: number;
  /** Sessions whose run threw, or returned another status than expected, by kind (see errorKind). */
  readonly errors: Readonly<Record<string, number>>;
  /** A few failures verbatim, to read what went wrong. */
  readonly examples: readonly string[];
  readonly wallMs: number;
}

export interface DriveOptions {
  readonly sessions: number;
  /** Starts spread evenly over this many ms (0: every session started at once). */
  readonly rampMs: number;
  /** Starts session `i` and answers how it ended; throws (or answers otherwise) when it failed. */
  readonly start: (session: number) => Promise<SessionEnd | string>;
  readonly expected: (session: number) => SessionEnd;
  /** Called as each session ends (to sample memory while the event loop is too busy for timers). */
  readonly onEnd?: () => void;
}

/**
 * Starts `sessions` sessions in this process, each under its own SessionClock, and waits for
 * all of them. A session that fails is counted and kept, never rethrown: a load test reports
 * its errors instead of stopping at the first.
 */
export async function driveSessions(options: DriveOptions): Promise<DrivenSessions> {
  const clocks: SessionClock[] = [];
  const errors: Record<string, number> = {};
  const examples: string[] = [];
  let completed = 0;
  let waiting = 0;
  const started = performance.now();
  const one = async (i: number) => {
    if (options.rampMs > 0) await sleep((options.rampMs * i) / options.sessions);
    const clock = new SessionClock(i);
    clocks.push(clock);
    try {
      const end = await inSession(clock, () => options.start(i));
      if (end !== options.expected(i))
        throw new Error(`session ${i} ended ${end}, expected ${options.expected(i)}`);
      if (end === "completed") completed++;
      else waiting++;
    } catch (error) {
      countError(errors, errorKind(error));
      if (examples.length < 5) examples.push(`session ${i}: ${(error as Error).message ?? String(error)}`);
    } finally {
      clock.end();
      options.onEnd?.();
    }
  };
  await Promise.all(Array.from({ length: options.sessions }, (_, i) => one(i)));
  return { clocks, completed, waiting, errors, examples, wallMs: performance.now() - started };
}
