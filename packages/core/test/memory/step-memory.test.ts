import {
  compile,
  defineTool,
  defineWorkflow,
  END,
  type GovernorEvent,
  GovernorRuntime,
  type GovernorStore,
  memoryAsOfCheckpoint,
  START,
} from "@governor/core";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { carrierRule, operator, recordingModel, tempStore, zoneB } from "./memory-fixture.js";

const DISPATCH = "You dispatch shipments";

/**
 * A dispatcher agent that reads Zone B's carrier every turn. Its one tool reports a depot's
 * status; while it runs, the director changes the Zone B mandate (as a person would, mid-run).
 */
function dispatchWorkflow(onCheck: () => void) {
  const checkDepot = defineTool({
    name: "check_depot",
    description: "Report a depot's status",
    input: z.object({ depot: z.string() }),
    scopes: ["depots:read"],
    risk: "read",
    handler: ({ depot }) => {
      onCheck();
      return { depot, open: true };
    },
  });
  return defineWorkflow({
    name: "memory-dispatch",
    state: z.object({ request: z.string(), reply: z.string().optional() }),
    agent: { id: "dispatcher", scopes: ["depots:read", "memory:read:acme"] },
    policy: new RulePolicyEngine([
      { id: "depots", effect: "permit", actions: ["check_depot"], reason: "reads are fine" },
    ]),
    tools: [checkDepot],
    nodes: {
      dispatch: {
        kind: "agent",
        instructions: DISPATCH,
        input: (state) => state.request,
        tools: ["check_depot"],
        maxTurns: 3,
        memory: { scopes: [{ tenant: "acme" }], keys: [zoneB], maxTokens: 200 },
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "dispatch"],
      ["dispatch", END],
    ],
  });
}

/** Turn 1: check the depot. Turn 2 (after the result): answer. Every system prompt is kept. */
function dispatchModel() {
  const systems: string[] = [];
  const model = new ScenarioChatModel(
    defineScenario({
      name: "dispatch",
      turns: [
        {
          when: { lastRole: "human" },
          reply: (view) => {
            systems.push(view.system);
            return {
              text: "Checking the depot.",
              toolCalls: [{ name: "check_depot", args: { depot: "B1" } }],
            };
          },
        },
        {
          reply: (view) => {
            systems.push(view.system);
            return { text: "Dispatched." };
          },
        },
      ],
    }),
  );
  return { model, systems };
}

let fixture: ReturnType<typeof tempStore>;
let store: GovernorStore;
beforeEach(() => {
  fixture = tempStore();
  store = fixture.store;
  store.memory.writeNow({ principal: operator }, [carrierRule("Carrier Y", "mandate", "ops-director", 90)]);
});
afterEach(() => fixture.close());

/** Waits (without sleeping a fixed time) until the clock has moved past `after`, so two moments differ. */
function clockPast(after: number): void {
  while (Date.now() <= after) {
    // spin until the next millisecond
  }
}

describe("memory of an agent step", () => {
  it("is read afresh every turn: a mandate changed mid-run is the one the next turn sees, the old one never", async () => {
    const { model, systems } = dispatchModel();
    const workflow = dispatchWorkflow(() => {
      store.memory.writeNow({ principal: operator }, [
        carrierRule("Carrier Z", "mandate", "ops-director", 90),
      ]);
    });
    const runtime = new GovernorRuntime({ store });
    const events: GovernorEvent[] = [];

    const outcome = await runtime.start(
      workflow,
      { request: "ship order 7 to zone B" },
      {
        model,
        threadId: "d1",
        onEvent: (event) => events.push(event),
      },
    );

    expect(outcome.status).toBe("completed");
    expect(systems).toHaveLength(2);
    expect(systems[0]).toContain(DISPATCH);
    expect(systems[0]).toContain("Carrier Y");
    expect(systems[1]).toContain("Carrier Z");
    expect(systems[1]).not.toContain("Carrier Y");
    const reads = store.audit.list("d1").filter((r) => r.kind === "memory" && r.outcome === "read");
    expect(reads).toHaveLength(2);
    expect(events.filter((event) => event.type === "memory-read")).toHaveLength(2);
  });

  it("answers what the agent knew at each checkpoint of the thread (getStateHistory)", async () => {
    const { model } = dispatchModel();
    let changedAt = 0;
    const workflow = dispatchWorkflow(() => {
      // The checkpoints before this step and the change never share a millisecond.
      clockPast(Date.now());
      store.memory.writeNow({ principal: operator }, [
        carrierRule("Carrier Z", "mandate", "ops-director", 90),
      ]);
      changedAt = Date.now();
      clockPast(changedAt);
    });
    const graph = compile(workflow, { model, checkpointer: store.checkpointer, ...store.graphServices() });
    const config = { configurable: { thread_id: "d2" } };
    clockPast(Date.now());
    await graph.invoke({ request: "ship order 8 to zone B" }, config);

    const known: { step: number; value: unknown }[] = [];
    for await (const snapshot of graph.getStateHistory(config)) {
      const facts = memoryAsOfCheckpoint(store.memory, operator, { tenant: "acme" }, snapshot, {
        keys: [zoneB],
      });
      known.push({ step: snapshot.metadata?.step ?? -1, value: facts[0]?.value });
      expect(new Date(snapshot.createdAt ?? 0).getTime() > changedAt).toBe(facts[0]?.value === "Carrier Z");
    }
    // Newest first: the checkpoints after the tool ran knew Z, the ones before knew Y.
    expect(known.at(-1)?.value).toBe("Carrier Y");
    expect(known[0]?.value).toBe("Carrier Z");
    expect(new Set(known.map((k) => k.value))).toEqual(new Set(["Carrier Y", "Carrier Z"]));
  });

  it("a memory-read node replaying a past checkpoint's knowledge gives the model what was known then", async () => {
    store.memory.writeNow({ principal: operator }, [carrierRule("Carrier Z", "mandate", "ops-director", 90)]);
    const before = store.memory.history(operator, { tenant: "acme" }, zoneB)[0]?.recordedAt as string;
    const { model, systems } = recordingModel();
    const workflow = defineWorkflow({
      name: "memory-as-of",
      state: z.object({ knownAt: z.string(), rules: z.string().optional() }),
      agent: { id: "auditor", scopes: ["memory:read:acme"] },
      policy: new RulePolicyEngine([]),
      tools: [],
      nodes: {
        recall: {
          kind: "memory-read",
          scopes: [{ tenant: "acme" }],
          keys: [zoneB],
          knownAt: (state) => state.knownAt as string,
          into: "rules",
        },
        explain: { kind: "model", instructions: (state) => `Explain: ${state.rules}` },
      },
      edges: [
        [START, "recall"],
        ["recall", "explain"],
        ["explain", END],
      ],
    });
    const graph = compile(workflow, { model, checkpointer: store.checkpointer, ...store.graphServices() });

    const state = await graph.invoke({ knownAt: before }, { configurable: { thread_id: "d3" } });

    expect(state.rules).toContain("Carrier Y");
    expect(state.rules).not.toContain("Carrier Z");
    expect(systems[0]).toContain("Carrier Y");
    const [read] = store.audit.list("d3").filter((r) => r.kind === "memory" && r.outcome === "read");
    expect(read?.data.knownAt).toBe(new Date(before).toISOString());
  });

  it("a model step with memory: the current rule reaches the prompt; a read of a partition it may not read fails the run", async () => {
    const { model, systems } = recordingModel();
    const build = (tenant: string) =>
      defineWorkflow({
        name: `memory-model-${tenant}`,
        state: z.object({ request: z.string() }),
        agent: { id: "router", scopes: ["memory:read:acme"] },
        policy: new RulePolicyEngine([]),
        tools: [],
        nodes: {
          route: {
            kind: "model",
            instructions: "Route it",
            input: (state) => state.request,
            memory: { scopes: () => [{ tenant }], query: (state) => state.request as string },
          },
        },
        edges: [
          [START, "route"],
          ["route", END],
        ],
      });
    const graph = compile(build("acme"), {
      model,
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    await graph.invoke({ request: "zone B" }, { configurable: { thread_id: "d4" } });
    expect(systems[0]).toContain("Carrier Y");

    const refused = compile(build("globex"), {
      model,
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    await expect(
      refused.invoke({ request: "zone B" }, { configurable: { thread_id: "d5" } }),
    ).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(systems).toHaveLength(1);
  });
});
