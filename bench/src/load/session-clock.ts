import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";

/** One model call of a session: when it was entered and left, and how long of it was the simulated model. */
export interface ModelCallTiming {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly modelMs: number;
}

/**
 * The timeline of one session: when the run was started and returned, and each model call
 * in between. The simulated model finds the session it is answering through AsyncLocalStorage
 * (which follows the run through LangGraph's awaits and timers), so no Governor code changes.
 */
export class SessionClock {
  readonly startedAt = performance.now();
  endedAt = Number.NaN;
  readonly calls: ModelCallTiming[] = [];
  #draws = 0;

  constructor(
    /** The session's number: with the seed, it fixes the latencies the model draws. */
    readonly session: number,
  ) {}

  /** The model calls made so far: the index of the next latency to draw. */
  nextDraw(): number {
    return this.#draws++;
  }

  end(): void {
    this.endedAt = performance.now();
  }

  /**
   * Orchestration time per turn, in ms: a turn runs from the end of the previous model call
   * (or the run's start) to the end of its own model call, minus the model's simulated time;
   * what follows the last model call (the tool, audit, the final checkpoint) belongs to the
   * last turn. Everything Governor, LangGraph and the event loop's queue add is in it.
   */
  turnOverheads(): number[] {
    if (!this.calls.length) return [this.endedAt - this.startedAt];
    const calls = [...this.calls].sort((a, b) => a.endedAt - b.endedAt);
    let from = this.startedAt;
    const turns = calls.map((call) => {
      const overhead = call.endedAt - from - call.modelMs;
      from = call.endedAt;
      return overhead;
    });
    turns[turns.length - 1] = (turns.at(-1) as number) + (this.endedAt - from);
    return turns;
  }

  /** The session's model time, in ms. */
  modelMs(): number {
    return this.calls.reduce((sum, call) => sum + call.modelMs, 0);
  }
}

const current = new AsyncLocalStorage<SessionClock>();

/** Runs `work` as session `clock`: model calls inside it are recorded on the clock. */
export function inSession<T>(clock: SessionClock, work: () => Promise<T>): Promise<T> {
  return current.run(clock, work);
}

/** The session the caller runs in, if any. */
export function currentSession(): SessionClock | undefined {
  return current.getStore();
}
