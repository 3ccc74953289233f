import { performance } from "node:perf_hooks";
import type { BenchConfig } from "./bench-config.js";

/** Something to time: one call is one `invoke()` of a graph on a new thread. */
export interface TimedTask {
  readonly name: string;
  once(): Promise<unknown>;
}

/** One task's per-call samples, in milliseconds: wall time, and this process's CPU time (user + system). */
export interface TaskSamples {
  readonly wall: number[];
  readonly cpu: number[];
}

/**
 * Warms every task up, then times them in alternating batches (A B, B A, A B …) so a slow
 * spell of the machine, a GC or a WAL checkpoint lands on all of them alike rather than on
 * whichever ran last. Returns each task's per-call wall and CPU times in milliseconds: wall
 * time grows when the shared machine is busy, CPU time much less, so the two side by side
 * tell a slow machine from a slow run.
 */
export async function measureInterleaved(
  tasks: readonly TimedTask[],
  config: Pick<BenchConfig, "warmup" | "runs" | "batches">,
): Promise<Map<string, TaskSamples>> {
  for (let i = 0; i < config.warmup; i++) for (const task of tasks) await task.once();

  const samples = new Map<string, TaskSamples>(tasks.map((task) => [task.name, { wall: [], cpu: [] }]));
  for (let batch = 0; batch < config.batches; batch++) {
    // Spread the remainder over the first batches so the total is exactly `runs`.
    const size = Math.floor(config.runs / config.batches) + (batch < config.runs % config.batches ? 1 : 0);
    const order = batch % 2 === 0 ? tasks : [...tasks].reverse();
    for (const task of order) {
      const times = samples.get(task.name) as TaskSamples;
      for (let i = 0; i < size; i++) {
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        await task.once();
        times.wall.push(performance.now() - start);
        const cpu = process.cpuUsage(cpuStart);
        times.cpu.push((cpu.user + cpu.system) / 1000);
      }
    }
  }
  return samples;
}
