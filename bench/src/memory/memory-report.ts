import { formatTable, ms } from "../table.js";
import type { ContradictionScore } from "./measure-contradictions.js";
import type { MemoryBenchResult } from "./measure-memory.js";

/** A ratio with two significant digits: Governor's calls are hundreds of times faster than the naive search. */
const ratio = (value: number) => `${value.toPrecision(2)}×`;

const pct = (hits: number, of: number) => (of ? `${((100 * hits) / of).toFixed(1)}%` : "n/a");

/** The memory benchmark's tables and verdicts, as `npm run bench` prints them. */
export function formatMemory(result: MemoryBenchResult): string {
  const { contradictions: c } = result;
  const mix = Object.entries(c.mix)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  const quality = formatTable(
    [
      "context",
      "stale (superseded/retracted)",
      "overruled in context",
      "recall",
      "tokens (sum)",
      "median",
      "vs sequence history",
      "vs partition history",
    ],
    c.variants.map((v: ContradictionScore) => [
      v.name,
      `${v.staleHits}/${v.staleEligible} = ${pct(v.staleHits, v.staleEligible)}`,
      `${v.overruledHits}/${v.overruledEligible} = ${pct(v.overruledHits, v.overruledEligible)}`,
      `${v.recallHits}/${v.recallEligible} = ${pct(v.recallHits, v.recallEligible)}`,
      String(v.tokens),
      String(v.medianTokens),
      `${(100 * (1 - v.tokens / c.historyTokens)).toFixed(1)}% fewer`,
      `${(100 * (1 - v.tokens / c.partitionHistoryTokens)).toFixed(1)}% fewer`,
    ]),
  );
  const latency = result.retrieval.map((scale) => {
    const base = scale.naive;
    const rows = [...scale.variants, ...(base ? [base] : [])].map((v) => [
      `${v.name}${v === base ? "" : " (Governor)"}`,
      String(v.samples),
      ms(v.p50Ms),
      ms(v.p99Ms),
      base && v !== base ? ratio(v.p50Ms / base.p50Ms) : "",
      ms(v.cpuP50Ms),
      ms(v.cpuP99Ms),
      base && v !== base ? ratio(v.cpuP50Ms / base.cpuP50Ms) : "",
    ]);
    return [
      `Retrieval at ${scale.facts.toLocaleString("en")} stored facts (${scale.keys.toLocaleString("en")} keys, 100 partitions of 5 tenants, 5% of writes updates; loaded through MemoryStore.writeNow batches in ${scale.loadSeconds.toFixed(1)} s)`,
      formatTable(
        [
          "buildMemoryContext",
          "calls",
          "p50 ms",
          "p99 ms",
          "× naive",
          "CPU p50 ms",
          "CPU p99 ms",
          "CPU × naive",
        ],
        rows,
      ),
    ].join("\n");
  });
  const g = result.goals;
  const verdict = (ok: boolean | undefined, text: string) =>
    `${ok === undefined ? "SKIP" : ok ? "PASS" : "FAIL"}: ${text}`;
  return [
    `Memory: ${c.sequences} generated contradiction sequences, ${c.statements} statements (${mix}); 5 tenants.
Governor = MemoryStore + buildMemoryContext (300-token budget, up to 8 search hits) over a Mem0FactIndex (a Mem0 Memory per partition, vectors ${result.index === "file" ? "in files" : "in memory"}); naive = a Mem0 Memory per partition, add(statement, { infer: false, userId: partition }) for every statement, search(question, { topK }) in the partition. Embedder for both: ${result.embedder}`,
    quality,
    `full conversation history: ${c.historyTokens} tokens in all for the sequences' own statements (median ${c.historyMedianTokens} per sequence); ${c.partitionHistoryTokens} counting each partition's whole conversation up to each question`,
    ...c.variants
      .filter((v) => v.misses.length && !v.name.startsWith("naive"))
      .map((v) => `${v.name}: sequences to look at (first ${v.misses.length}): ${v.misses.join(", ")}`),
    ...latency,
    [
      verdict(
        g.noStaleFacts,
        "stale-fact rate 0 for every Governor context (superseded, retracted and overruled values)",
      ),
      verdict(g.recall, "current-fact recall ≥ 99% (exact key, and key + search)"),
      verdict(g.tokens, "≥ 60% fewer prompt tokens than the sequence's full history (exact key)"),
      verdict(g.latencyExact, "retrieval p50 ≤ 5 ms at 100,000 facts (exact key)"),
      verdict(g.latencySearch, "retrieval p50 ≤ 5 ms at 100,000 facts (exact key + Mem0 search)"),
    ].join("\n"),
  ].join("\n\n");
}
