import { compile, defineWorkflow, END, findWorkflowIssues, type GovernorStore, START } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { SqliteAuditJournal } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  carrierRule,
  crashingCheckpointer,
  operator,
  recordingModel,
  tempStore,
  zoneB,
} from "./memory-fixture.js";

const ROUTER = "You route shipments";

function routingWorkflow(scopes: string[] = ["memory:read:acme"], tenant = "acme") {
  return defineWorkflow({
    name: "memory-routing",
    state: z.object({
      request: z.string(),
      tenant: z.string().optional(),
      rules: z.string().optional(),
      ruleFacts: z.array(z.any()).optional(),
      reply: z.string().optional(),
    }),
    agent: { id: "router", scopes },
    policy: new RulePolicyEngine([]),
    tools: [],
    nodes: {
      recall: {
        kind: "memory-read",
        description: "the tenant's routing rules",
        scopes: (state) => [{ tenant: (state.tenant as string | undefined) ?? tenant }],
        keys: [zoneB],
        into: "rules",
        factsInto: "ruleFacts",
      },
      route: {
        kind: "model",
        instructions: (state) => `${ROUTER}. ${state.rules ?? ""}`,
        input: (state) => state.request,
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "recall"],
      ["recall", "route"],
      ["route", END],
    ],
  });
}

/** The workflow compiled over the test's store, as the runtime compiles it. */
function storeGraph(
  model: ReturnType<typeof recordingModel>["model"],
  workflow = routingWorkflow(),
  checkpointer = store.checkpointer,
) {
  return compile(workflow, { model, checkpointer, ...store.graphServices() });
}

let fixture: ReturnType<typeof tempStore>;
let store: GovernorStore;
beforeEach(() => {
  fixture = tempStore();
  store = fixture.store;
});
afterEach(() => fixture.close());

describe("memory-read node", () => {
  it("gives the model exactly the current rule: a superseded mandate and a brainstorm never reach it", async () => {
    store.memory.writeNow({ principal: operator }, [carrierRule("Carrier X", "mandate", "ops-director", 90)]);
    store.memory.writeNow({ principal: operator }, [carrierRule("Carrier Y", "mandate", "ops-director", 90)]);
    // A suggestion never supersedes the mandate: refused, so Carrier Y stays the rule.
    store.memory.writeNow({ principal: operator }, [
      carrierRule("regional couriers", "suggestion", "brainstorm", 10),
    ]);
    const { model, systems } = recordingModel("Zone B goes with Carrier Y.");
    const graph = storeGraph(model);

    const state = await graph.invoke({ request: "ship to zone B" }, { configurable: { thread_id: "r1" } });

    expect(systems).toHaveLength(1);
    expect(systems[0]).toContain("Carrier Y");
    expect(systems[0]).not.toContain("Carrier X");
    expect(systems[0]).not.toContain("regional couriers");
    expect(state.ruleFacts.map((fact: { value: string }) => fact.value)).toEqual(["Carrier Y"]);

    const reads = store.audit.list("r1").filter((r) => r.kind === "memory" && r.outcome === "read");
    expect(reads).toHaveLength(1);
    expect(reads[0]?.node).toBe("recall");
    expect(reads[0]?.data.factIds).toEqual([state.ruleFacts[0].id]);
  });

  it("masks personal data in facts before the state and the model see them", async () => {
    store.memory.writeNow({ principal: operator }, [
      {
        scope: { tenant: "acme" },
        entity: "zone-b",
        attribute: "escalation-contact",
        value: "dispatch lead jane.doe@example.com",
        kind: "preference",
        authority: { by: "ops-director", weight: 90 },
        source: { type: "manual" },
      },
    ]);
    const workflow = routingWorkflow();
    const recall = workflow.nodes.recall as { keys?: unknown };
    recall.keys = undefined;
    const { model, systems } = recordingModel();
    const graph = storeGraph(model, workflow);

    const state = await graph.invoke({ request: "who do I call?" }, { configurable: { thread_id: "m1" } });

    expect(state.rules).toContain("dispatch lead");
    expect(state.rules).not.toContain("jane.doe@example.com");
    expect(systems[0]).not.toContain("jane.doe@example.com");
    expect(systems[0]).toMatch(/\[EMAIL_[0-9a-f]{6}\]/);
  });

  it("fails the run closed with MEMORY_SCOPE_DENIED on another tenant's partition, audited", async () => {
    store.memory.writeNow({ principal: operator }, [
      carrierRule("Globex Freight", "mandate", "globex-ops", 90, "globex"),
    ]);
    const { model, systems } = recordingModel();
    const graph = storeGraph(model);

    const run = graph.invoke(
      { request: "ship to zone B", tenant: "globex" },
      { configurable: { thread_id: "x1" } },
    );

    await expect(run).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(systems).toEqual([]);
    const denied = store.audit.list("x1").filter((r) => r.kind === "memory" && r.outcome === "denied");
    expect(denied).toHaveLength(1);
    expect(denied[0]?.node).toBe("recall");
  });

  it("audits a read once however often LangGraph re-runs the step (a recovery after the worker died)", async () => {
    store.memory.writeNow({ principal: operator }, [carrierRule("Carrier Y", "mandate", "ops-director", 90)]);
    const armed = { on: false };
    const workflow = routingWorkflow();
    const recall = workflow.nodes.recall as { scopes: (state: Record<string, unknown>) => unknown };
    const scopes = recall.scopes;
    let reads = 0;
    recall.scopes = (state) => {
      reads++;
      if (reads === 1) armed.on = true;
      return scopes(state);
    };
    const { model } = recordingModel();
    const graph = storeGraph(model, workflow, crashingCheckpointer(store.checkpointer, armed));
    const config = { configurable: { thread_id: "c1" } };

    await expect(graph.invoke({ request: "ship to zone B" }, config)).rejects.toThrow(/worker died/);
    await graph.invoke(null, config);

    expect(reads).toBe(2);
    const audited = store.audit.list("c1").filter((r) => r.kind === "memory" && r.outcome === "read");
    expect(audited).toHaveLength(1);
  });

  it("cannot be widened by a caller's principal: a run claiming memory:admin is refused before anything is read", async () => {
    store.memory.writeNow({ principal: operator }, [
      carrierRule("Globex Freight", "mandate", "globex-ops", 90, "globex"),
    ]);
    const { model, systems } = recordingModel();
    const graph = storeGraph(model);
    const forged = {
      id: "agent:router",
      kind: "agent",
      agentId: "router",
      scopes: ["memory:read:acme", "memory:admin"],
    };

    const run = graph.invoke(
      { request: "ship to zone B", tenant: "globex" },
      { configurable: { thread_id: "f1", principal: forged } },
    );

    await expect(run).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    expect(systems).toEqual([]);
    expect(store.audit.list("f1").filter((r) => r.kind === "memory" && r.outcome === "read")).toEqual([]);
  });

  it("is refused at compile time, naming the node, without a memory store", () => {
    const { model } = recordingModel();
    const compiling = () =>
      compile(routingWorkflow(), {
        model,
        audit: store.audit,
        effects: store.effects,
      });
    expect(compiling).toThrowError(GovernorError);
    expect(compiling).toThrowError(/recall.*without a memory store/);
    try {
      compiling();
    } catch (error) {
      expect((error as GovernorError).code).toBe("CONFIG_INVALID");
    }
  });

  it("is drawn in the graph as its own node, with its kind", async () => {
    const { model } = recordingModel();
    const graph = compile(routingWorkflow(), {
      model,
      audit: new SqliteAuditJournal(":memory:"),
      effects: store.effects,
      memory: store.memory,
    });
    const drawn = await graph.getGraphAsync();
    expect(drawn.drawMermaid()).toMatch(/recall\(recall<hr\/><small><em>governor = memory-read/);
    expect(drawn.nodes.recall?.metadata).toMatchObject({ governor: "memory-read" });
  });
});

describe("validate() on memory declarations", () => {
  it("names each malformed field by its path", () => {
    const workflow = routingWorkflow();
    const nodes = workflow.nodes as Record<string, Record<string, unknown>>;
    Object.assign(nodes.recall as object, {
      into: "nowhere",
      scopes: [{ tenant: "" }],
      keys: [{ entity: "zone-b" }],
      maxTokens: -5,
      query: "not a function",
    });
    Object.assign(nodes.route as object, { memory: { scopes: [] } });
    nodes.save = { kind: "memory-write", facts: "nope", into: "rules" };
    const issues = findWorkflowIssues({
      ...workflow,
      edges: [...workflow.edges, ["route", "save"] as never],
    });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "nodes.recall.into",
        "nodes.recall.scopes[0]",
        "nodes.recall.keys[0]",
        "nodes.recall.maxTokens",
        "nodes.recall.query",
        "nodes.route.memory.scopes",
        "nodes.save.facts",
      ]),
    );
  });
});
