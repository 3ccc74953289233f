/**
 * Measures (does not assert) Mem0FactIndex search latency: 1k and 10k keys in one partition,
 * and 100k keys spread over 100 partitions, against Mem0's single shared vector file for the
 * same 100k. Run: `npx tsx packages/memory/scripts/measure-mem0-search.ts [--quick]`.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { contentOnlyModel } from "../src/mem0/content-only-model.js";
import { loadMem0 } from "../src/mem0/load-mem0.js";
import { LocalEmbeddings } from "../src/mem0/local-embeddings.js";
import { Mem0FactIndex } from "../src/mem0/mem0-fact-index.js";
import { Mem0KeyMap } from "../src/mem0/mem0-key-map.js";

const QUERIES = 40;
const words = [
  "carrier",
  "zone",
  "pallet",
  "invoice",
  "currency",
  "courier",
  "depot",
  "route",
  "rate",
  "customs",
];
const text = (i: number) =>
  `${words[i % 10]} ${i % 97} ${words[(i * 7) % 10]}: value ${i} ${words[(i * 3) % 10]}`;
const key = (i: number) => ({ entity: `entity ${i}`, attribute: words[i % 10] as string });

function quantiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`;
}

/** Wall and CPU time per query: on a shared, loaded machine the CPU time is the steadier number. */
async function time(run: (q: number) => Promise<unknown>, queries = QUERIES): Promise<string> {
  await run(-1);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let q = 0; q < queries; q++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    await run(q);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - start);
  }
  return `wall ${quantiles(wall)}; cpu ${quantiles(cpu)}`;
}

/**
 * Writes `total` keys over `partitions` straight into an index directory's files, in the
 * layout Mem0FactIndex and Mem0 use (a vector file per partition named by the scope key's
 * hash, Mem0's `vectors` table, the key map): 100k upserts through Mem0 take ~7 ms of CPU
 * each here, too slow to measure searches at that size.
 */
function bulkFill(dir: string, total: number, partitions: number, embeddings: LocalEmbeddings): void {
  mkdirSync(join(dir, "partitions"), { recursive: true });
  const keysDb = new Database(join(dir, "keys.db"));
  const keys = new Mem0KeyMap(keysDb);
  keys.setMeta("dimension", String(embeddings.dimension));
  const files = Array.from({ length: partitions }, (_, p) => {
    const name = createHash("sha256").update(`t=p${p}`).digest("hex").slice(0, 32);
    const db = new Database(join(dir, "partitions", `${name}.db`));
    db.exec(`CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, payload TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS memory_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL UNIQUE)`);
    return db;
  });
  const inserts = files.map((db) => db.prepare("INSERT INTO vectors (id, vector, payload) VALUES (?, ?, ?)"));
  for (const db of files) db.exec("BEGIN");
  keysDb.exec("BEGIN");
  for (let i = 0; i < total; i++) {
    const p = i % partitions;
    const id = randomUUID();
    const payload = { data: text(i), textLemmatized: text(i), user_id: `t=p${p}`, ...key(i) };
    inserts[p]?.run(
      id,
      Buffer.from(new Float32Array(embeddings.embed(text(i))).buffer),
      JSON.stringify(payload),
    );
    keys.bind(`t=p${p}`, key(i), id);
  }
  keysDb.exec("COMMIT");
  for (const db of files) {
    db.exec("COMMIT");
    db.close();
  }
  keysDb.close();
}

const quick = process.argv.includes("--quick");
const dir = mkdtempSync(join(tmpdir(), "mem0-measure-"));
const embeddings = new LocalEmbeddings();
try {
  // End to end through Mem0FactIndex, filled through its own write path (upsert).
  const index = new Mem0FactIndex({ dir: join(dir, "index"), embeddings });
  const fillStart = performance.now();
  const fillCpu = process.cpuUsage();
  for (let i = 0; i < 1000; i++) await index.upsert("t=p0", key(i), text(i));
  const used = process.cpuUsage(fillCpu);
  console.log(
    `Mem0FactIndex.upsert x 1000: wall ${((performance.now() - fillStart) / 1000).toFixed(1)} s, cpu ${((used.user + used.system) / 1e6).toFixed(1)} s`,
  );
  console.log(
    `Mem0FactIndex.search, 1 partition x 1000 keys: ${await time((q) => index.search("t=p0", `${text(q * 13)} rule`, 10))}`,
  );
  index.close();

  // Mem0FactIndex over bulk-filled directories, both rankings.
  for (const [total, partitions] of quick
    ? [[10_000, 1]]
    : [
        [1000, 1],
        [10_000, 1],
        [100_000, 100],
      ]) {
    const where = join(dir, `bulk-${total}-${partitions}`);
    bulkFill(where, total as number, partitions as number, embeddings);
    for (const ranking of ["cosine", "mem0"] as const) {
      if (ranking === "mem0" && total === 10_000) continue; // measured below on Mem0 directly
      const index = new Mem0FactIndex({ dir: where, embeddings, ranking, maxOpenPartitions: 128 });
      const loadStart = performance.now();
      await index.search("t=p0", "warm up", 1);
      const firstMs = performance.now() - loadStart;
      for (let p = 1; p < (partitions as number); p++) await index.search(`t=p${p}`, "warm up", 1);
      const timing = await time((q) =>
        index.search(`t=p${Math.max(q, 0) % (partitions as number)}`, `${text(q * 13)} rule`, 10),
      );
      console.log(
        `Mem0FactIndex ranking ${ranking}, ${total} keys over ${partitions} partition(s): first search (opens Mem0${ranking === "cosine" ? ", loads the matrix" : ""}) ${firstMs.toFixed(0)} ms; then ${timing}`,
      );
      index.close();
    }
  }

  // Mem0's own search on one vector file of n rows (what one partition's file costs), bulk-filled.
  const mem0 = await loadMem0(dir);
  const open = async (name: string) => {
    const memory = new mem0.Memory({
      embedder: { provider: "langchain", config: { model: embeddings } },
      vectorStore: { provider: "memory", config: { dimension: 256, dbPath: join(dir, `${name}.db`) } },
      llm: { provider: "langchain", config: { model: contentOnlyModel() } },
      historyStore: { provider: "sqlite", config: { historyDbPath: join(dir, `${name}-history.db`) } },
    });
    await memory.get("00000000-0000-4000-8000-000000000000");
    return memory;
  };
  const fill = async (memory: Awaited<ReturnType<typeof open>>, total: number, partitions: number) => {
    const store = (
      memory as unknown as {
        vectorStore: { insert(v: number[][], ids: string[], p: object[]): Promise<void> };
      }
    ).vectorStore;
    for (let start = 0; start < total; start += 1000) {
      const batch = Array.from({ length: 1000 }, (_, j) => start + j);
      await store.insert(
        batch.map((i) => embeddings.embed(text(i))),
        batch.map(() => crypto.randomUUID()),
        batch.map((i) => ({
          data: text(i),
          textLemmatized: text(i),
          user_id: `t=p${i % partitions}`,
          ...key(i),
        })),
      );
    }
  };
  const search = (memory: Awaited<ReturnType<typeof open>>, partitions: number) => (q: number) =>
    memory.search(`${text(q * 13)} rule`, {
      filters: { user_id: `t=p${Math.max(q, 0) % partitions}` },
      topK: 20,
    });

  for (const [total, partitions] of quick
    ? [[1000, 1]]
    : [
        [1000, 1],
        [10_000, 1],
        [100_000, 100],
      ]) {
    const memory = await open(`file-${total}-${partitions}`);
    await fill(memory, total as number, partitions as number);
    const layout =
      partitions === 1 ? "one partition in its own file" : `${partitions} partitions in ONE shared file`;
    console.log(
      `Mem0 Memory.search, ${total} vectors, ${layout}: ${await time(search(memory, partitions as number))}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
