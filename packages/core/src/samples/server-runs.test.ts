import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentPrincipal } from "@governor/identity";
import { MemorySaver } from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { billingDesk, deskModel, type Effects, newEffects } from "../../test/support/billing-desk.js";
import { compile } from "../graph/compile.js";
import { GovernorStore } from "../runtime/governor-store.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { recordServerRuns } from "./server-runs.js";

/**
 * What LangGraph's API server does with a graph, done here directly: it assigns its own
 * checkpointer, then runs the graph with `streamEvents` under its thread id. (The real server
 * is driven in graphs/refund/test/studio-one-store.int.test.ts.)
 */
let dir: string;
let store: GovernorStore;
let effects: Effects;
let workflow: Workflow;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-server-runs-"));
  store = new GovernorStore(dir);
  effects = newEffects();
  workflow = billingDesk({ effects });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function servedGraph(served: Workflow = workflow) {
  const graph = compile(served, {
    model: deskModel("desk", effects),
    checkpointer: store.checkpointer,
    ...store.graphServices(),
  });
  recordServerRuns(graph, {
    workflow: served,
    source: `sample:${served.name}`,
    stores: store,
    defaultPrincipal: agentPrincipal(served.agent.id, served.agent.scopes, served.agent.roles),
  });
  // As the server's getGraph does before every run and state read.
  (graph as { checkpointer: unknown }).checkpointer = new MemorySaver();
  return graph;
}

/** Runs the graph as the server does, and returns the error it ended with, if any. */
async function serve(graph: ReturnType<typeof servedGraph>, input: unknown, threadId?: string) {
  try {
    const configurable = threadId === undefined ? {} : { thread_id: threadId };
    for await (const _event of graph.streamEvents(input as never, { version: "v2", configurable })) {
      // drained, as the server streams it to its client
    }
    return undefined;
  } catch (error) {
    return error as { code?: string; message: string };
  }
}

describe("recordServerRuns", () => {
  it("records a server run in the store, with its checkpoints in the store's saver", async () => {
    const graph = servedGraph();
    expect(await serve(graph, { request: "charge me" }, "thread-1")).toBeUndefined();

    expect(await store.runs.get("thread-1")).toMatchObject({
      workflow: "billing-desk",
      source: "sample:billing-desk",
      status: "completed",
      principal: { id: "agent:billing" },
    });
    expect(effects.charges).toHaveLength(1);
    const outcomes = store.audit
      .list("thread-1")
      .filter((record) => record.kind === "run")
      .map((record) => record.outcome);
    expect(outcomes).toEqual(["started", "completed"]);
    // The server's saver was assigned and ignored: the store's checkpointer holds the thread.
    expect(await store.checkpointer.getTuple({ configurable: { thread_id: "thread-1" } })).toBeDefined();
    expect(graph.checkpointer).toBe(store.checkpointer);
  });

  it("refuses, recording no run, a run without a thread, bad input and a thread of another workflow", async () => {
    const graph = servedGraph();
    const noThread = await serve(graph, { request: "charge me" });
    expect(noThread).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/needs a thread id/),
    });
    const emptyThread = await serve(graph, { request: "charge me" }, "");
    expect(emptyThread).toMatchObject({ code: "CONFIG_INVALID" });

    for (const input of [{ request: 42 }, { nothing: true }, "charge me", []]) {
      expect(await serve(graph, input, "bad-input")).toMatchObject({ code: "INPUT_INVALID" });
    }
    expect(await store.runs.get("bad-input")).toBeUndefined();

    expect(await serve(graph, { request: "charge me" }, "taken")).toBeUndefined();
    const other = servedGraph(billingDesk({ effects, name: "other-desk" }));
    const error = await serve(other, { request: "charge me" }, "taken");
    expect(error).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/belongs to workflow "billing-desk"/),
    });
    expect(await store.runs.get("taken")).toMatchObject({ workflow: "billing-desk", status: "completed" });
    expect(await store.runs.count()).toBe(1);
    expect(effects.charges).toHaveLength(1);
  });

  it("records a run that fails on the server as failed, with its error", async () => {
    const failing = billingDesk({
      effects,
      prepare: () => {
        throw new Error("the CRM is down");
      },
    });
    const error = await serve(servedGraph(failing), { request: "charge me" }, "failing");
    expect(error?.message).toContain("the CRM is down");
    expect(await store.runs.get("failing")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("the CRM is down"),
    });
    const failed = store.audit
      .list("failing")
      .filter((record) => record.kind === "run" && record.outcome === "failed");
    expect(failed).toHaveLength(1);
    expect(effects.charges).toEqual([]);
  });

  it("refuses to drive a run another process holds", async () => {
    const graph = servedGraph();
    expect(store.leases.acquire("held", "someone-else", Date.now(), 60_000)).toBe(true);
    expect(await serve(graph, { request: "charge me" }, "held")).toMatchObject({ code: "RUN_BUSY" });
    expect(await store.runs.get("held")).toBeUndefined();
    expect(effects.charges).toEqual([]);
  });
});
