import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setYieldSlice } from "@governor/core";
import { scratchDir } from "../scratch-dir.js";
import { bareRefund } from "../variants/bare-refund.js";
import { checkRefundCount, checkRefundOnce } from "../variants/check-refund.js";
import { governedRefund } from "../variants/governed-refund.js";
import { fileJournals } from "../variants/journals.js";
import type { RefundVariant } from "../variants/refund-variant.js";
import { runtimeRefund } from "../variants/runtime-refund.js";
import { probeTimer, type TimerLateness } from "./timer-probe.js";

/** One variant's batch of concurrent runs, with the probe timer's lateness meanwhile. */
export interface LoadedTimer extends TimerLateness {
  readonly variant: string;
  readonly runs: number;
  /** The batch's wall time and this process's CPU time for it, in ms. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Ticks the timer would have fired in `wallMs` had it been on time. */
  readonly expectedTicks: number;
  /** maxLateMs over the idle process's maxLateMs. */
  readonly maxLateRatio: number;
}

export interface TimerLatenessResult {
  readonly intervalMs: number;
  readonly runs: number;
  /** The same timer in this process with nothing else running, for the same time as the slowest batch. */
  readonly idle: TimerLateness;
  /** runtime: GovernorRuntime.start on a GovernorStore; compile: compile().invoke; bare: plain LangGraph. */
  readonly loaded: readonly LoadedTimer[];
}

export interface TimerLatenessOptions {
  /** Concurrent runs per batch (1,000 for the goal). */
  readonly runs: number;
  /** The probe timer's period, in ms (10). */
  readonly intervalMs?: number;
  /** Which variants to load the process with; all three by default. */
  readonly variants?: readonly ("runtime" | "compile" | "bare")[];
  /** Governor's yield slice for the measurement (see setYieldSlice); `Infinity` measures no yielding. */
  readonly yieldSliceMs?: number;
}

/**
 * How late a 10 ms timer fires while `runs` refunds run concurrently in the same process,
 * through GovernorRuntime.start, compile().invoke and bare LangGraph (each batch started at
 * once with Promise.all, every run on its own thread), against the same timer in the idle
 * process. An HTTP server sharing the process sees the same delays.
 *
 * @throws {Error} when a run fails or a batch did not refund once per run.
 */
export async function measureTimerLateness(options: TimerLatenessOptions): Promise<TimerLatenessResult> {
  const intervalMs = options.intervalMs ?? 10;
  const dir = scratchDir("timer");
  const journals = fileJournals(join(dir.path, "journals"));
  const makers: Record<string, () => RefundVariant> = {
    runtime: () => runtimeRefund({ dir: join(dir.path, "store") }),
    compile: () => governedRefund({ name: "compile", checkpoints: join(dir.path, "compile.db"), journals }),
    bare: () => bareRefund({ checkpoints: join(dir.path, "bare.db") }),
  };
  const loaded: LoadedTimer[] = [];
  const restoreSlice = options.yieldSliceMs === undefined ? undefined : setYieldSlice(options.yieldSliceMs);
  try {
    for (const name of options.variants ?? ["runtime", "compile", "bare"]) {
      const variant = (makers[name] as () => RefundVariant)();
      try {
        await checkRefundOnce(variant, `${name}-check`);
        const cpu = process.cpuUsage();
        const started = performance.now();
        const { lateness } = await probeTimer(intervalMs, () =>
          Promise.all(Array.from({ length: options.runs }, (_, i) => variant.run(`${name}-load-${i}`))),
        );
        const wallMs = performance.now() - started;
        const used = process.cpuUsage(cpu);
        checkRefundCount(variant, 1 + options.runs);
        loaded.push({
          variant: name,
          runs: options.runs,
          wallMs,
          cpuMs: (used.user + used.system) / 1000,
          expectedTicks: Math.floor(wallMs / intervalMs),
          maxLateRatio: Number.NaN,
          ...lateness,
        });
      } finally {
        if (name !== "compile") variant.close();
      }
    }
    const idleFor = Math.max(200, ...loaded.map((l) => l.wallMs));
    const { lateness: idle } = await probeTimer(
      intervalMs,
      () => new Promise<void>((resolve) => setTimeout(resolve, idleFor)),
    );
    return {
      intervalMs,
      runs: options.runs,
      idle,
      loaded: loaded.map((l) => ({ ...l, maxLateRatio: l.maxLateMs / Math.max(idle.maxLateMs, 1) })),
    };
  } finally {
    restoreSlice?.();
    journals.close();
    dir.dispose();
  }
}
