import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { contentOnlyModel } from "./content-only-model.js";
import { loadMem0 } from "./load-mem0.js";
import { LocalEmbeddings } from "./local-embeddings.js";
import { Mem0FactIndex } from "./mem0-fact-index.js";

const acme = "t=acme";
const zoneB = { entity: "zone B", attribute: "carrier" };
const zoneA = { entity: "zone A", attribute: "carrier" };
const currency = { entity: "Berlin office", attribute: "invoice currency" };

let dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "mem0-index-test-"));
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
  vi.restoreAllMocks();
});

describe.each(["mem0", "cosine"] as const)("Mem0FactIndex (real Mem0, offline), ranking %s", (ranking) => {
  let index: Mem0FactIndex;
  beforeEach(() => {
    index = new Mem0FactIndex({ dir: ":memory:", ranking });
  });
  afterEach(() => index.close());

  it("adds, updates, finds and removes a key, best match first, one result per key", async () => {
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X");
    await index.upsert(acme, zoneA, "zone A carrier: DHL");
    await index.upsert(acme, currency, "Berlin office invoice currency: EUR");
    expect((await index.search(acme, "which carrier for zone B?", 5))[0]).toEqual(zoneB);
    expect((await index.search(acme, "invoice currency in Berlin", 5))[0]).toEqual(currency);

    await index.upsert(acme, zoneB, "zone B carrier: regional couriers");
    expect((await index.search(acme, "regional couriers", 5))[0]).toEqual(zoneB);
    const keys = await index.search(acme, "carrier", 10);
    expect(keys.filter((key) => key.entity === "zone B")).toHaveLength(1);

    await index.remove(acme, zoneB);
    expect(await index.search(acme, "regional couriers zone B", 10)).not.toContainEqual(zoneB);
    await index.remove(acme, zoneB);
    await index.remove(acme, { entity: "never", attribute: "written" });
    expect(await index.search(acme, "zone A carrier DHL", 1)).toEqual([zoneA]);
  });

  it("keeps partitions apart: the same text in another tenant is never found from this one", async () => {
    await index.upsert("t=globex", zoneB, "zone B carrier: Carrier X");
    expect(await index.search(acme, "zone B carrier: Carrier X", 10)).toEqual([]);
    await index.upsert(acme, zoneA, "zone A carrier: DHL");
    expect(await index.search(acme, "zone B carrier: Carrier X", 10)).not.toContainEqual(zoneB);
    expect(await index.search("t=globex", "Carrier X", 10)).toEqual([zoneB]);
  });

  it("records the key's lifecycle in Mem0's history: ADD, UPDATE, DELETE, and a restated text adds nothing", async () => {
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X");
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X");
    await index.upsert(acme, zoneB, "zone B carrier: Carrier Y");
    await index.remove(acme, zoneB);
    await index.upsert(acme, zoneB, "zone B carrier: Carrier Z");
    const history = await index.history(acme, zoneB);
    expect(history.map((event) => [event.action, event.previousValue, event.newValue])).toEqual([
      ["ADD", null, "zone B carrier: Carrier X"],
      ["UPDATE", "zone B carrier: Carrier X", "zone B carrier: Carrier Y"],
      ["DELETE", "zone B carrier: Carrier Y", null],
      ["ADD", null, "zone B carrier: Carrier Z"],
    ]);
    expect(new Set(history.map((event) => event.memoryId)).size).toBe(2);
    expect(await index.history(acme, zoneA)).toEqual([]);
  });

  it("answers nothing for an empty query or limit, without opening Mem0 for an unknown partition", async () => {
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X");
    expect(await index.search(acme, " ?! ", 5)).toEqual([]);
    expect(await index.search(acme, "carrier", 0)).toEqual([]);
    expect(await index.search("t=nobody", "carrier", 5)).toEqual([]);
  });

  it("prints nothing on stdout and never calls the network (telemetry and notices off)", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const stdout = vi.spyOn(process.stdout, "write");
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X on 2026-03-01");
    await index.upsert(acme, zoneB, "zone B carrier: Carrier Y");
    for (let i = 0; i < 6; i++) await index.upsert(acme, { entity: `e${i}`, attribute: "a" }, `e${i} a: v`);
    for (let i = 0; i < 6; i++) await index.remove(acme, { entity: `e${i}`, attribute: "a" });
    await index.search(acme, "carrier since yesterday", 60);
    await index.history(acme, zoneB);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(stdout).not.toHaveBeenCalled();
    expect(process.env.MEM0_TELEMETRY).toBe("false");
    expect(process.env.MEM0_DIR?.startsWith(homedir())).toBe(false);
  });
});

describe.each(["mem0", "cosine"] as const)("Mem0FactIndex on disk, ranking %s", (ranking) => {
  it("persists keys and vectors across reopenings, one vector file per partition", async () => {
    const dir = tempDir();
    const first = new Mem0FactIndex({ dir, ranking });
    await first.upsert(acme, zoneB, "zone B carrier: Carrier X");
    await first.upsert("t=globex", zoneA, "zone A carrier: DHL");
    first.close();
    const files = readdirSync(join(dir, "partitions")).filter(
      (name) => name.endsWith(".db") && !name.includes("_entities"),
    );
    expect(files).toHaveLength(2);
    expect(files.join(" ")).not.toMatch(/acme|globex/);

    const second = new Mem0FactIndex({ dir, ranking });
    expect(await second.search(acme, "carrier for zone B", 5)).toEqual([zoneB]);
    await second.upsert(acme, zoneB, "zone B carrier: Carrier Y");
    expect((await second.history(acme, zoneB)).map((event) => event.action)).toEqual(["ADD", "UPDATE"]);
    second.close();
  });

  it("closes the least recently used partitions past maxOpenPartitions and reopens them on use", async () => {
    const dir = tempDir();
    const index = new Mem0FactIndex({ dir, ranking, maxOpenPartitions: 1 });
    const tenants = ["t=a", "t=b", "t=c"];
    for (const round of ["X", "Y"]) {
      for (const tenant of tenants)
        await index.upsert(tenant, zoneB, `zone B carrier: Carrier ${round} of ${tenant}`);
    }
    for (const tenant of tenants) {
      expect(await index.search(tenant, `Carrier Y of ${tenant}`, 5)).toEqual([zoneB]);
      expect((await index.history(tenant, zoneB)).map((event) => event.action)).toEqual(["ADD", "UPDATE"]);
    }
    index.close();
  });

  it("refuses to mix vectors of another size in a directory built with one embedder", async () => {
    const dir = tempDir();
    const first = new Mem0FactIndex({ dir, ranking });
    await first.upsert(acme, zoneB, "zone B carrier: Carrier X");
    first.close();
    const other = new Mem0FactIndex({ dir, ranking, embeddings: new LocalEmbeddings(64) });
    await expect(other.search(acme, "carrier", 5)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(other.upsert(acme, zoneA, "zone A carrier: DHL")).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    other.close();
  });

  it("never returns a memory its key does not own (one left by a crash between Mem0's add and the binding), nor its stale text", async () => {
    const dir = tempDir();
    const index = new Mem0FactIndex({ dir, ranking });
    await index.upsert(acme, zoneB, "zone B carrier: Carrier Y");
    index.close();
    const [file] = readdirSync(join(dir, "partitions")).filter(
      (name) => name.endsWith(".db") && !name.includes("_entities"),
    );
    const vectors = new Database(join(dir, "partitions", file as string));
    const row = vectors.prepare("SELECT * FROM vectors").get() as { vector: Buffer; payload: string };
    // The unowned memory says something the key's live text does not: only it could match.
    const orphanText = "pallet wrapping: Acme Plastics";
    const orphanVector = Buffer.from(new Float32Array(new LocalEmbeddings().embed(orphanText)).buffer);
    const payload = {
      ...JSON.parse(row.payload),
      data: orphanText,
      textLemmatized: orphanText.toLowerCase(),
    };
    vectors
      .prepare("INSERT INTO vectors (id, vector, payload) VALUES (?, ?, ?)")
      .run("11111111-1111-4111-8111-111111111111", orphanVector, JSON.stringify(payload));
    vectors.close();

    const reopened = new Mem0FactIndex({ dir, ranking });
    expect(await reopened.search(acme, "pallet wrapping Acme Plastics", 5)).toEqual([]);
    expect(await reopened.search(acme, "zone B carrier", 5)).toEqual([zoneB]);
    reopened.close();
  });

  it("re-adds a key whose Mem0 memory vanished from its files, instead of failing every later sync", async () => {
    const dir = tempDir();
    const index = new Mem0FactIndex({ dir, ranking });
    await index.upsert(acme, zoneB, "zone B carrier: Carrier X");
    index.close();
    const [file] = readdirSync(join(dir, "partitions")).filter(
      (name) => name.endsWith(".db") && !name.includes("_entities"),
    );
    const vectors = new Database(join(dir, "partitions", file as string));
    vectors.prepare("DELETE FROM vectors").run();
    vectors.close();

    const reopened = new Mem0FactIndex({ dir, ranking });
    expect(await reopened.search(acme, "zone B carrier", 5)).toEqual([]);
    await reopened.upsert(acme, zoneB, "zone B carrier: Carrier Y");
    expect(await reopened.search(acme, "Carrier Y", 5)).toEqual([zoneB]);
    await reopened.remove(acme, zoneB);
    await reopened.remove(acme, zoneB);
    expect(await reopened.search(acme, "Carrier Y", 5)).toEqual([]);
    reopened.close();
  });
});

describe("contentOnlyModel (the langchain-provider workaround)", () => {
  const messages = [
    { role: "system", content: "Extract facts." },
    { role: "user", content: "Rule: use Carrier X for Zone B" },
  ];
  const chat = RunnableLambda.from(async () => new AIMessage({ content: '{"memory":[]}', tool_calls: [] }));

  it("hands Mem0 the model's text where a raw @langchain/core 1.x AIMessage breaks it", async () => {
    const { LangchainLLM } = await loadMem0(":memory:");
    const raw = await new LangchainLLM({ model: chat }).generateResponse(messages, { type: "json_object" });
    expect(typeof raw).not.toBe("string");
    const fixed = await new LangchainLLM({ model: contentOnlyModel(chat) }).generateResponse(messages, {
      type: "json_object",
    });
    expect(fixed).toBe('{"memory":[]}');
  });

  it("fails closed when Mem0 asks for an answer and Governor gave it no model", async () => {
    const { LangchainLLM } = await loadMem0(":memory:");
    await expect(
      new LangchainLLM({ model: contentOnlyModel() }).generateResponse(messages),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
