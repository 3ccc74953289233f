import { performance } from "node:perf_hooks";
import type { BenchConfig } from "./bench-config.js";

/** Something to time: one call is one `invoke()` of a graph on a new thread. */
export interface TimedTask {
  readonly name: string;
  once(): Promise<unknown>;
}

/**
 * Warms every task up, then times them in alternating batches (A B, B A, A B …) so a slow
 * spell of the machine, a GC or a WAL checkpoint lands on all of them alike rather than on
 * whichever ran last. Returns each task's per-call times in milliseconds.
 */
export async function measureInterleaved(
  tasks: readonly TimedTask[],
  config: Pick<BenchConfig, "warmup" | "runs" | "batches">,
): Promise<Map<string, number[]>> {
  for (let i = 0; i < config.warmup; i++) for (const task of tasks) await task.once();

  const samples = new Map(tasks.map((task) => [task.name, [] as number[]]));
  for (let batch = 0; batch < config.batches; batch++) {
    // Spread the remainder over the first batches so the total is exactly `runs`.
    const size = Math.floor(config.runs / config.batches) + (batch < config.runs % config.batches ? 1 : 0);
    const order = batch % 2 === 0 ? tasks : [...tasks].reverse();
    for (const task of order) {
      const times = samples.get(task.name) as number[];
      for (let i = 0; i < size; i++) {
        const start = performance.now();
        await task.once();
        times.push(performance.now() - start);
      }
    }
  }
  return samples;
}
