import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "@governor/testing-services";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/open-postgres-store.js";

let server: PostgresServer;
const dir = mkdtempSync(join(tmpdir(), "governor-pg-open-"));
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("openPostgresStore", () => {
  it("wires every store on one database, says where it is without the password, and closes once", async () => {
    const url = (await server.createDatabase()).replace("postgres@", "postgres:s3cret@");
    const stores = await openPostgresStore({ url, dir });
    try {
      expect(stores.backend).toBe("postgres");
      expect(stores.location).toBe(url.replace(":s3cret@", ":***@"));
      expect(stores.memory).toBeUndefined();
      const services = stores.graphServices();
      expect(services).toMatchObject({
        audit: stores.audit,
        effects: stores.effects,
        approvalUses: stores.approvalUses,
        killSwitch: stores.kills,
        spend: stores.spend,
        tokenKeys: stores.tokenKeys,
      });
      // Development keys live in the directory when none are configured.
      expect(existsSync(join(dir, "keys", "approval.key"))).toBe(true);
      expect(existsSync(join(dir, "keys", "audit.key"))).toBe(true);

      // The audit journal masks what it stores, as the embedded store's does.
      await stores.audit.append({
        threadId: "t1",
        kind: "run",
        outcome: "start",
        data: { email: "ana@example.com" },
      });
      const [record] = await stores.audit.list("t1");
      expect(JSON.stringify(record?.data)).not.toContain("ana@example.com");
      expect(await stores.audit.verify()).toMatchObject({ ok: true, records: 1 });
    } finally {
      await stores.close();
      await stores.close();
    }
  });

  it("checkpoints a LangGraph run in the same database, readable after reopening", async () => {
    const url = await server.createDatabase();
    const State = Annotation.Root({
      count: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
    });
    const build = (stores: Awaited<ReturnType<typeof openPostgresStore>>) =>
      new StateGraph(State)
        .addNode("bump", (state) => ({ count: state.count + 1 }))
        .addEdge(START, "bump")
        .addEdge("bump", END)
        .compile({ checkpointer: stores.checkpointer });
    const config = { configurable: { thread_id: "t1" } };
    const first = await openPostgresStore({ url, dir });
    try {
      expect(await build(first).invoke({ count: 41 }, config)).toEqual({ count: 42 });
    } finally {
      await first.close();
    }
    const second = await openPostgresStore({ url, dir, autoMigrate: false });
    try {
      expect((await build(second).getState(config)).values).toEqual({ count: 42 });
    } finally {
      await second.close();
    }
  });
});
