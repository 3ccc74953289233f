import { performance } from "node:perf_hooks";
import { quantile } from "../stats.js";

/** How late a periodic timer fired while something else ran in the same process. */
export interface TimerLateness {
  /** Times the timer fired while the work ran (the tick that fires once it is done included). */
  readonly ticks: number;
  /** Worst lateness of a tick against when it was due, in ms. */
  readonly maxLateMs: number;
  readonly p99LateMs: number;
  readonly p50LateMs: number;
}

/**
 * Times `work` against a `setTimeout` chain of `intervalMs`: each tick records how long after
 * its due time it fired and schedules the next. The probe stops at the first tick after
 * `work` settles, so a timer starved for the whole batch still shows one tick as late as the batch.
 */
export async function probeTimer<T>(
  intervalMs: number,
  work: () => Promise<T>,
): Promise<{ readonly result: T; readonly lateness: TimerLateness }> {
  const late: number[] = [];
  let done = false;
  let finished!: () => void;
  const stopped = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const schedule = () => {
    const due = performance.now() + intervalMs;
    setTimeout(() => {
      late.push(Math.max(0, performance.now() - due));
      if (done) finished();
      else schedule();
    }, intervalMs);
  };
  schedule();
  try {
    const result = await work();
    return { result, lateness: await settle() };
  } catch (error) {
    await settle();
    throw error;
  }

  async function settle(): Promise<TimerLateness> {
    done = true;
    await stopped;
    const sorted = [...late].sort((a, b) => a - b);
    return {
      ticks: sorted.length,
      maxLateMs: sorted.at(-1) ?? Number.NaN,
      p99LateMs: quantile(sorted, 0.99),
      p50LateMs: quantile(sorted, 0.5),
    };
  }
}
