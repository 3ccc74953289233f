/**
 * The concurrency figures alone:
 *   node bench/dist/concurrency/concurrency-main.js
 * BENCH_TIMER_RUNS (1000) concurrent refunds under a 10 ms timer; BENCH_SESSIONS (10000)
 * sessions for peak memory (0 skips it); BENCH_MODEL_LATENCY_MS (0) makes the scripted model
 * answer late, so every session is in flight at once; BENCH_YIELD_SLICE_MS sets Governor's
 * yield slice (Infinity: no yielding, the "before").
 */
import "../v8-workaround.js";
import { measureTimerLateness } from "./measure-timer-lateness.js";
import { measureSessionMemory } from "./session-memory.js";

const env = process.env;
const slice = env.BENCH_YIELD_SLICE_MS ? Number(env.BENCH_YIELD_SLICE_MS) : undefined;
const timerRuns = Number(env.BENCH_TIMER_RUNS ?? 1000);
const sessions = Number(env.BENCH_SESSIONS ?? 10_000);
const fixed = (n: number) => n.toFixed(1);

if (timerRuns > 0) {
  const timer = await measureTimerLateness({
    runs: timerRuns,
    ...(slice === undefined ? {} : { yieldSliceMs: slice }),
  });
  console.log(
    `10 ms timer, idle: max ${fixed(timer.idle.maxLateMs)} ms late, p99 ${fixed(timer.idle.p99LateMs)} ms`,
  );
  for (const l of timer.loaded)
    console.log(
      `  ${timerRuns} concurrent runs (${l.variant}): fired ${l.ticks}/${l.expectedTicks}, max ${fixed(l.maxLateMs)} ms late (${fixed(l.maxLateRatio)}× idle), p99 ${fixed(l.p99LateMs)} ms; batch ${fixed(l.wallMs)} ms wall, ${fixed(l.cpuMs)} ms CPU`,
    );
}
if (sessions > 0) {
  const memory = await measureSessionMemory({
    sessions,
    modelLatencyMs: Number(env.BENCH_MODEL_LATENCY_MS ?? 0),
    ...(slice === undefined ? {} : { yieldSliceMs: slice }),
  });
  for (const m of [memory.runtime, memory.bare])
    console.log(
      `${sessions} sessions (${m.variant}): peak RSS ${fixed(m.peakRssMb)} MB (warm ${fixed(m.baselineRssMb)}), peak heap ${fixed(m.peakHeapMb)} MB; ${m.completed} completed, ${m.waiting} waiting; ${fixed(m.wallMs)} ms wall, ${fixed(m.cpuMs)} ms CPU`,
    );
  console.log(
    `  runtime/bare peak RSS ${memory.peakRssRatio.toFixed(2)}×; per session ${fixed(memory.runtimeKbPerSession)} KB vs ${fixed(memory.bareKbPerSession)} KB`,
  );
}
