/**
 * One variant's sessions in a process of their own, so its peak RSS is its own:
 * `node session-memory-child.js <runtime|bare> <sessions>` prints one JSON line (SessionMemory).
 * Started by measureSessionMemory; runnable alone to take a heap snapshot
 * (`BENCH_HEAP_SNAPSHOT=1` writes one when every session has started, before any is awaited).
 */
import "../v8-workaround.js";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { setYieldSlice } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { scratchDir } from "../scratch-dir.js";
import { type SessionVariant, sessionLoad } from "./session-load.js";
import type { SessionMemory } from "./session-memory.js";

const MB = 1024 * 1024;

async function main(variant: SessionVariant, sessions: number): Promise<SessionMemory> {
  const dir = scratchDir(`sessions-${variant}`);
  const load = sessionLoad(variant, dir.path);
  try {
    // Warm: code loaded and compiled, graphs cached; what is left to grow is per session.
    await load.start(-2);
    await load.start(-1);
    globalThis.gc?.();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    const sample = () => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
    };
    const sampler = setInterval(sample, 25);
    let completed = 0;
    let waiting = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const runs = Array.from({ length: sessions }, (_, i) =>
      load.start(i).then((outcome) => {
        if (outcome === "completed") completed++;
        else waiting++;
        // Sampled as sessions end too: bare LangGraph never lets the interval run mid-batch.
        if ((completed + waiting) % 50 === 0) sample();
      }),
    );
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      await new Promise((resolve) =>
        setTimeout(resolve, Number(process.env.BENCH_HEAP_SNAPSHOT_AFTER_MS ?? 0)),
      );
      process.stderr.write(`heap snapshot: ${writeHeapSnapshot()}\n`);
    }
    await Promise.all(runs);
    sample();
    clearInterval(sampler);
    const used = process.cpuUsage(cpu);
    return {
      variant,
      sessions,
      completed,
      waiting,
      wallMs: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      baselineRssMb: baseline.rss / MB,
      peakRssMb: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / MB,
      peakHeapMb: peakHeap / MB,
      baselineHeapMb: baseline.heapUsed / MB,
    };
  } finally {
    load.close();
    dir.dispose();
  }
}

/**
 * A model that answers after `ms`, as a hosted one does: every session is then in flight at
 * once (each holds its state while it waits), which is what concurrent sessions cost. Without
 * it the scripted model answers at once and runs largely finish before later ones start.
 */
function delayModelAnswers(ms: number): void {
  if (!(ms > 0)) return;
  const proto = ScenarioChatModel.prototype as unknown as {
    _generate: (...args: unknown[]) => Promise<unknown>;
  };
  const answer = proto._generate;
  proto._generate = async function (this: unknown, ...args: unknown[]) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return answer.apply(this, args);
  };
}

const [variant, count] = process.argv.slice(2);
delayModelAnswers(Number(process.env.BENCH_MODEL_LATENCY_MS ?? 0));
if (process.env.BENCH_YIELD_SLICE_MS) setYieldSlice(Number(process.env.BENCH_YIELD_SLICE_MS));
if (variant !== "runtime" && variant !== "bare")
  throw new Error(`usage: session-memory-child <runtime|bare> <sessions>`);
const result = await main(variant, Number(count ?? 10_000));
process.stdout.write(`${JSON.stringify(result)}\n`);
