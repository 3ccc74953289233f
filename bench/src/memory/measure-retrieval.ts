import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { FactIndex } from "@governor/memory";
import { scratchDir } from "../scratch-dir.js";
import { quantile } from "../stats.js";
import { bulkFacts, type StoredKey } from "./bulk-facts.js";
import { type GovernedMemory, openGovernedMemory } from "./governed-memory.js";
import type { MemoryBenchConfig } from "./memory-bench-config.js";
import type { NaiveMemory } from "./naive-memory.js";
import { Prng } from "./prng.js";

/** Per-call latency of one way of retrieving, in milliseconds: wall and this process's CPU. */
export interface LatencySummary {
  readonly name: string;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuP50Ms: number;
  readonly cpuP99Ms: number;
}

export interface ScaleResult {
  /** Facts written (records in the table, superseded ones included). */
  readonly facts: number;
  /** Keys with a current fact. */
  readonly keys: number;
  readonly loadSeconds: number;
  readonly variants: readonly LatencySummary[];
  /** The naive Mem0 search at the same scale, when it was loaded there. */
  readonly naive?: LatencySummary;
}

/** What the latency runs need from the caller: an index per store (or none), a naive memory per scale. */
export interface RetrievalDeps {
  readonly index?: (dbPath: string) => Promise<FactIndex | undefined>;
  readonly naive: () => Promise<NaiveMemory>;
}

/**
 * Loads `scale` facts into a fresh store through `MemoryStore.writeNow` batches (the index
 * catches up in one sync), then times `buildMemoryContext` for random stored keys: by exact
 * key, by key plus query, and by query alone; and the naive Mem0 search at the same scale.
 */
export async function measureRetrieval(
  config: MemoryBenchConfig,
  scale: number,
  deps: RetrievalDeps,
): Promise<ScaleResult> {
  const dir = scratchDir("memory");
  let memory: GovernedMemory | undefined;
  try {
    const path = join(dir.path, "governor.db");
    memory = openGovernedMemory(path, await deps.index?.(path));
    const keys: StoredKey[] = [];
    const started = performance.now();
    let clock = Date.parse("2026-01-01T00:00:00.000Z");
    for (const batch of bulkFacts(scale, config.seed + scale)) {
      clock += 60_000;
      memory.at(new Date(clock));
      memory.write(batch.writes, "bulk-load");
      keys.push(...batch.keys);
    }
    await memory.store.syncIndex();
    const loadSeconds = (performance.now() - started) / 1000;
    memory.at(new Date(clock + 60_000));

    const random = new Prng(config.seed);
    const ask = () => random.pick(keys);
    const governed = memory;
    const variants = [
      await time("exact key", config.samples, config.warmup, () => {
        const k = ask();
        return governed.context(k.scope, { keys: [k.key] });
      }),
      await time(
        `key + ${governed.indexed ? "search" : "partition"}`,
        config.searchSamples,
        config.warmup,
        () => {
          const k = ask();
          return governed.context(k.scope, { keys: [k.key], query: k.question });
        },
      ),
      await time(
        `${governed.indexed ? "search" : "partition"} only`,
        config.searchSamples,
        config.warmup,
        () => {
          const k = ask();
          return governed.context(k.scope, { query: k.question });
        },
      ),
    ];
    let naive: LatencySummary | undefined;
    if (scale <= config.naiveMaxScale) {
      const baseline = await deps.naive();
      for (const batch of bulkFacts(scale, config.seed + scale)) {
        for (const write of batch.writes) {
          if (write.op === "retract") continue;
          await baseline.add(write.scope, `${write.entity} ${write.attribute}: ${String(write.value)}`);
        }
      }
      naive = await time("naive Mem0 search", config.naiveSamples, Math.min(5, config.warmup), () => {
        const k = ask();
        return baseline.context(k.scope, k.question);
      });
    }
    return { facts: scale, keys: keys.length, loadSeconds, variants, ...(naive ? { naive } : {}) };
  } finally {
    memory?.close();
    dir.dispose();
  }
}

/** Warms up, then times `samples` calls one after another: wall and CPU per call. */
async function time(
  name: string,
  samples: number,
  warmup: number,
  once: () => Promise<unknown>,
): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await once();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await once();
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    name,
    samples,
    p50Ms: quantile(wall, 0.5),
    p99Ms: quantile(wall, 0.99),
    cpuP50Ms: quantile(cpu, 0.5),
    cpuP99Ms: quantile(cpu, 0.99),
  };
}
