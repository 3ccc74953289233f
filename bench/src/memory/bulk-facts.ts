import type { FactKey, FactScope, FactWrite } from "@governor/memory";
import { TENANTS } from "./fact-sequences.js";
import { Prng } from "./prng.js";

/** A key the latency runs ask about: its partition, the key, and the step's question. */
export interface StoredKey {
  readonly scope: FactScope;
  readonly key: FactKey;
  readonly question: string;
}

const ENTITIES = ["zone", "supplier", "customer", "warehouse", "region", "lane", "store", "plant"];
const ATTRIBUTES = [
  "carrier",
  "payment terms",
  "discount cap",
  "dispatch cutoff",
  "escalation contact",
  "owner",
];
const WORDS = ["Kestrel", "Osprey", "Heron", "Net", "Prepay", "Tier", "Slot", "Alpha", "Bravo", "Sierra"];

/**
 * `total` fact writes over the five tenants' partitions (per tenant: the tenant itself, 14 users
 * and 5 agents, so 100 partitions), new keys and a share `updates` (default 5%) of updates of a
 * key written before, so the table holds superseded history too; in batches of `batch` writes.
 * The update share is kept small for the run time, not for the store: Mem0's `update()` relinks
 * the memory's entities, listing and scanning the partition's entity store each time.
 */
export function* bulkFacts(
  total: number,
  seed: number,
  batch = 1000,
  updates = 0.05,
): Generator<{ writes: FactWrite[]; keys: StoredKey[] }> {
  const random = new Prng(seed);
  const partitions: FactScope[] = TENANTS.flatMap((tenant) => [
    { tenant },
    ...Array.from({ length: 14 }, (_, i) => ({ tenant, user: `u${i + 1}` })),
    ...Array.from({ length: 5 }, (_, i) => ({ tenant, agent: `agent${i + 1}` })),
  ]);
  const written: StoredKey[][] = partitions.map(() => []);
  let serial = 0;
  for (let start = 0; start < total; start += batch) {
    const writes: FactWrite[] = [];
    const keys: StoredKey[] = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      const p = random.int(0, partitions.length - 1);
      const scope = partitions[p] as FactScope;
      const earlier = written[p] as StoredKey[];
      let stored: StoredKey;
      if (earlier.length > 0 && random.next() < updates) stored = random.pick(earlier);
      else {
        const entity = `${random.pick(ENTITIES)} K${i}`;
        const attribute = random.pick(ATTRIBUTES);
        stored = { scope, key: { entity, attribute }, question: `What is the ${attribute} for ${entity}?` };
        earlier.push(stored);
        keys.push(stored);
      }
      writes.push({
        scope,
        ...stored.key,
        value: `${random.pick(WORDS)}-${String(++serial).padStart(6, "0")}`,
        kind: "mandate",
        authority: { by: "ops-director", weight: 90 },
        source: { type: "manual" },
      });
    }
    yield { writes, keys };
  }
}
