import { performance } from "node:perf_hooks";
import { GovernorError } from "@governor/errors";

/**
 * Keeps governed runs from starving the process they share (an HTTP server, the console, a
 * timer). Offline runs continue on microtasks and better-sqlite3 is synchronous, so without
 * this a batch of runs never returns to the event loop until the whole batch is done.
 *
 * Runs share one time slice. At a step boundary a run goes on at once while the slice has time
 * left (the common case costs one clock read); once the slice is spent, it queues and waits
 * for a later turn of the event loop. A turn opens a new slice and admits queued runs one per
 * `setImmediate` callback, so they go one after the other (their steps are synchronous between
 * boundaries) and the turn stops admitting once the slice is spent: timers, I/O and other
 * servers run before the next turn. Only about as many callbacks are queued per turn as runs
 * fit in a slice, so a thousand waiting runs do not cost a thousand callbacks a turn.
 *
 * Runs already under way go before runs that have not started: a burst of new runs cannot
 * starve those in flight, and the process holds few half-done runs at once (memory).
 *
 * Yielding only delays when a node starts: a step's writes, interrupts, the kill switch (read
 * after the yield, so a switch engaged meanwhile is seen) and LangGraph's ordering of a
 * superstep's writes are unchanged.
 */

/** The default slice: long enough that a lone run rarely yields, short enough for a 10 ms timer. */
export const DEFAULT_YIELD_SLICE_MS = 8;

/** A FIFO of waiting runs' resolvers, O(1) at both ends. */
class WaitQueue {
  #items: (() => void)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: () => void): void {
    this.#items.push(item);
  }
  shift(): (() => void) | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = noop;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

function noop(): void {}

let sliceMs = DEFAULT_YIELD_SLICE_MS;
let sliceStart = Number.NEGATIVE_INFINITY;
/** Runs under way, waiting at a step boundary: admitted first. */
const resuming = new WaitQueue();
/** Runs waiting to start. */
const entering = new WaitQueue();
/** Whether the next turn (its opener and its admitting callbacks) is queued. */
let turnQueued = false;
/** Runs admitted in the current turn; the next turn queues a few more callbacks than that. */
let admitted = 0;
/** Set when a slice opens: its first waiter always goes on, so every turn makes progress. */
let fresh = false;

function sliceSpent(): boolean {
  return performance.now() - sliceStart >= sliceMs;
}

function waiting(): number {
  return resuming.length + entering.length;
}

/** Queues the next turn: the callback that opens its slice, then the callbacks that admit runs. */
function queueTurn(): void {
  if (turnQueued) return;
  turnQueued = true;
  const callbacks = Math.min(waiting(), admitted * 2 + 1);
  setImmediate(openTurn);
  for (let i = 0; i < callbacks; i++) setImmediate(admitOne, i === callbacks - 1);
}

function openTurn(): void {
  turnQueued = false;
  fresh = true;
  admitted = 0;
  sliceStart = performance.now();
}

/** Admits the next waiting run when the slice has time left; the last callback of a turn queues the next. */
function admitOne(last: boolean): void {
  if (!waiting()) return;
  if (!fresh && sliceSpent()) {
    queueTurn();
    return;
  }
  fresh = false;
  admitted++;
  (resuming.shift() ?? entering.shift())?.();
  if (last && waiting()) queueTurn();
}

function wait(queue: WaitQueue): Promise<void> {
  return new Promise<void>((resolve) => {
    queue.push(resolve);
    queueTurn();
  });
}

/**
 * Returns a promise to await at a step boundary when the current slice is spent, or
 * `undefined` (go on at once) while it has time left. Callers write
 * `const turn = yieldToEventLoop(); if (turn) await turn;` so the fast path adds no microtask.
 */
export function yieldToEventLoop(): Promise<void> | undefined {
  if (!sliceSpent()) return undefined;
  return wait(resuming);
}

/**
 * Waits for a turn of the event loop whatever is left of the slice: for the start of a run.
 * A batch of runs started in one synchronous loop would otherwise all pass the slice check
 * before any of them had used time, then do their setup together in one long microtask
 * flush; waiting here makes each start in a turn of its own, within the slice.
 */
export function enterRunTurn(): Promise<void> | undefined {
  if (sliceMs === Number.POSITIVE_INFINITY) return undefined;
  return wait(entering);
}

/**
 * Sets the slice length: 0 yields at every step boundary (tests that need a yield to happen
 * deterministically), `Infinity` never yields, at a run's start or between steps (a batch process with nothing else to serve, or
 * a benchmark's "before"); in between trades a timer's lateness against throughput.
 *
 * @returns a function that restores the previous length.
 * @throws {GovernorError} CONFIG_INVALID when `ms` is negative or NaN.
 */
export function setYieldSlice(ms: number): () => void {
  if (!(ms >= 0))
    throw new GovernorError("CONFIG_INVALID", `The yield slice must be ≥ 0 ms, got ${ms}`, { ms });
  const previous = sliceMs;
  sliceMs = ms;
  return () => {
    sliceMs = previous;
  };
}
