import { compile, defineWorkflow, END, type GovernorStore, START } from "@governor/core";
import type { AuthorityOf, MemoryEvent } from "@governor/memory";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { BaseMessage, HumanMessage } from "@langchain/core/messages";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { crashingCheckpointer, operator, tempStore, zoneB } from "./memory-fixture.js";

const REQUEST = "Rule from today: use Carrier Y for Zone B. Questions to jane.doe@example.com";

/** Who says what with which weight: decided by the workflow from the message's author. */
const authorityOf: AuthorityOf = (item) =>
  BaseMessage.isInstance(item) && item.name === "ops-director"
    ? { by: "ops-director", weight: 90 }
    : { by: "unknown", weight: 1, maxKind: "suggestion" };

/** Answers the extraction prompt with one mandate and keeps what it was shown. */
function extractionModel() {
  const seen: string[] = [];
  const calls = { extraction: 0 };
  const model = new ScenarioChatModel(
    defineScenario({
      name: "extract",
      turns: [
        {
          when: { system: /You extract durable facts/ },
          reply: (view) => {
            calls.extraction++;
            seen.push(view.messages.map((m) => String(m.content)).join("\n"));
            return {
              text: JSON.stringify({
                facts: [
                  {
                    op: "assert",
                    message: 0,
                    ...zoneB,
                    value: "Carrier Y",
                    kind: "mandate",
                    quote: "use Carrier Y for Zone B",
                  },
                ],
              }),
            };
          },
        },
      ],
    }),
  );
  return { model, seen, calls };
}

function extractingWorkflow() {
  return defineWorkflow({
    name: "memory-extract",
    state: z.object({ request: z.string(), events: z.array(z.any()).optional() }),
    // The router relays what the authenticated director said, up to the director's weight.
    agent: { id: "router", scopes: ["memory:write:acme", "memory:attest:ops-director:90"] },
    policy: new RulePolicyEngine([]),
    tools: [],
    nodes: {
      remember: {
        kind: "memory-write",
        extract: {
          scope: { tenant: "acme" },
          from: (state) => [new HumanMessage({ content: state.request as string, name: "ops-director" })],
          authorityOf,
        },
        into: "events",
      },
    },
    edges: [
      [START, "remember"],
      ["remember", END],
    ],
  });
}

let fixture: ReturnType<typeof tempStore>;
let store: GovernorStore;
beforeEach(() => {
  fixture = tempStore();
  store = fixture.store;
});
afterEach(() => fixture.close());

describe("memory-write node with extraction", () => {
  it("remembers what the conversation established; the extraction model reads it masked", async () => {
    const { model, seen } = extractionModel();
    const graph = compile(extractingWorkflow(), {
      model,
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });

    const state = await graph.invoke({ request: REQUEST }, { configurable: { thread_id: "e1" } });

    expect((state.events as MemoryEvent[]).map((e) => [e.event, e.status])).toEqual([["ADD", "applied"]]);
    const [fact] = store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] });
    expect(fact).toMatchObject({ value: "Carrier Y", kind: "mandate", authority: { by: "ops-director" } });
    expect(seen.join("\n")).toContain("use Carrier Y for Zone B");
    expect(seen.join("\n")).not.toContain("jane.doe@example.com");
  });

  it("a step recovered after the worker died neither asks the model again nor writes again", async () => {
    const { model, calls } = extractionModel();
    const armed = { on: false };
    const workflow = extractingWorkflow();
    // Arms the crash once the model has answered: the write happens, the step is lost.
    const answer = model.invoke.bind(model);
    model.invoke = async (...args: Parameters<typeof model.invoke>) => {
      const reply = await answer(...args);
      armed.on = true;
      return reply;
    };
    const graph = compile(workflow, {
      model,
      checkpointer: crashingCheckpointer(store.checkpointer, armed),
      ...store.graphServices(),
    });
    const config = { configurable: { thread_id: "e2" } };

    await expect(graph.invoke({ request: REQUEST }, config)).rejects.toThrow(/worker died/);
    const state = await graph.invoke(null, config);

    expect(calls.extraction).toBe(1);
    expect((state.events as MemoryEvent[]).map((e) => e.event)).toEqual(["ADD"]);
    expect(store.memory.history(operator, { tenant: "acme" }, zoneB)).toHaveLength(1);
    expect(store.audit.list("e2").filter((r) => r.kind === "memory")).toHaveLength(1);
  });

  it("counts the extraction's model calls in the run's usage, like a model step's", async () => {
    const { model } = extractionModel();
    const graph = compile(extractingWorkflow(), {
      model,
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    const state = await graph.invoke({ request: REQUEST }, { configurable: { thread_id: "e3" } });
    const usage = (state.governor as { usage: { modelCalls: number; inputTokens: number } }).usage;
    expect(usage.modelCalls).toBe(1);
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(
      store.audit
        .list("e3")
        .filter((r) => r.kind === "model")
        .map((r) => r.data.purpose),
    ).toEqual(["memory extraction"]);
  });

  it("never extracts over the run's budget: it asks a human first, and nothing is written meanwhile", async () => {
    const { model, calls } = extractionModel();
    const workflow = { ...extractingWorkflow(), budget: { maxTokens: 5 } };
    const graph = compile(workflow, {
      model,
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    const state = await graph.invoke({ request: REQUEST }, { configurable: { thread_id: "e4" } });
    expect(calls.extraction).toBe(0);
    expect((state as { __interrupt__?: unknown[] }).__interrupt__).toHaveLength(1);
    expect(store.memory.history(operator, { tenant: "acme" }, zoneB)).toEqual([]);
  });

  it("is refused at compile time when the named extraction model was not given", () => {
    const workflow = extractingWorkflow();
    (workflow.nodes.remember as { extract: { model?: string } }).extract.model = "strong";
    const { model } = extractionModel();
    expect(() =>
      compile(workflow, { model, checkpointer: store.checkpointer, ...store.graphServices() }),
    ).toThrow(/remember extracts with model "strong"/);
  });
});
