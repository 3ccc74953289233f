import { GovernorError } from "@governor/errors";
import { Annotation, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { publishStateSchema, stateJsonSchemas } from "./state-json-schema.js";

const workflow = {
  name: "refund",
  state: z.object({
    orderId: z.string().describe("the order to refund"),
    amount: z.number().positive().optional(),
    tier: z.enum(["gold", "basic"]).default("basic"),
    note: z.string().transform((text) => text.trim()),
  }),
};

describe("stateJsonSchemas", () => {
  it("describes the author's fields, with defaults optional for input only", () => {
    const { input, state } = stateJsonSchemas(workflow);
    expect(Object.keys(input.properties as object)).toEqual(["orderId", "amount", "tier", "note"]);
    expect(input.properties).toMatchObject({
      orderId: { type: "string", description: "the order to refund" },
      tier: { enum: ["gold", "basic"] },
    });
    expect(input.required).toEqual(["orderId", "note"]);
    expect(state.required).toEqual(expect.arrayContaining(["orderId", "tier"]));
    // Governor's own channels are not the caller's to set.
    expect(input.properties).not.toHaveProperty("governor");
    expect(input.properties).not.toHaveProperty("messages");
  });

  it("leaves a field JSON Schema cannot express open instead of failing", () => {
    const odd = { name: "odd", state: z.object({ when: z.date(), big: z.bigint(), ok: z.string() }) };
    const { input } = stateJsonSchemas(odd);
    expect(input.properties).toMatchObject({ when: {}, big: {}, ok: { type: "string" } });
  });
});

describe("publishStateSchema", () => {
  it("puts the schemas where LangGraph's API server looks for them, without changing validation", async () => {
    const graph = new StateGraph(Annotation.Root({ orderId: Annotation<string>() }))
      .addNode("n", () => ({}))
      .addEdge("__start__", "n")
      .compile();
    publishStateSchema(graph, workflow);
    const builder = graph.builder as unknown as Record<
      string,
      { getJsonSchema(): unknown; getInputJsonSchema(): unknown }
    >;
    expect(builder._schemaRuntimeDefinition?.getInputJsonSchema()).toEqual(stateJsonSchemas(workflow).input);
    expect(builder._outputRuntimeDefinition?.getJsonSchema()).toEqual(stateJsonSchemas(workflow).state);
    // LangGraph still runs the graph as before (it validates only with real zod or StateSchema there).
    await expect(graph.invoke({ orderId: "A-1" })).resolves.toEqual({ orderId: "A-1" });
  });

  it("refuses a graph that has no builder to publish on", () => {
    for (const graph of [{}, { builder: undefined }, { builder: null }]) {
      expect(() => publishStateSchema(graph, workflow)).toThrow(GovernorError);
      try {
        publishStateSchema(graph, workflow);
      } catch (error) {
        expect((error as GovernorError).code).toBe("CONFIG_INVALID");
        expect((error as GovernorError).message).toContain('workflow "refund"');
      }
    }
  });
});
