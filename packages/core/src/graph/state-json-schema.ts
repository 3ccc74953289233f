import { GovernorError } from "@governor/errors";
import { z } from "zod";
import type { Workflow } from "../workflow/define-workflow.js";

/** JSON Schema (draft 2020-12) as zod writes it. */
export type JsonSchema = Record<string, unknown>;

/** What a workflow's state looks like to a client that draws forms from it (Studio). */
export interface StateJsonSchemas {
  /** What a new run accepts: the author's fields, fields with defaults optional. */
  readonly input: JsonSchema;
  /** What the run's state holds: the author's fields as the schema parses them. */
  readonly state: JsonSchema;
}

/**
 * The JSON Schema of a workflow's zod state, for input and for state.
 *
 * Only the author's fields: `messages` and Governor's own channel are not the caller's to
 * set (the graph refuses a `governor` channel from outside). A field zod cannot express in
 * JSON Schema (a transform's output, a custom check) is left open (`{}`) rather than failing:
 * the graph still parses every input with the zod schema itself.
 *
 * @throws {GovernorError} CONFIG_INVALID when the schema cannot be converted at all.
 */
export function stateJsonSchemas(workflow: Pick<Workflow, "name" | "state">): StateJsonSchemas {
  const convert = (io: "input" | "output"): JsonSchema => {
    try {
      return z.toJSONSchema(workflow.state, { io, unrepresentable: "any" }) as JsonSchema;
    } catch (error) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `The state schema of workflow "${workflow.name}" has no JSON Schema (${error instanceof Error ? error.message : String(error)})`,
        { workflow: workflow.name },
        { cause: error },
      );
    }
  };
  return { input: convert("input"), state: convert("output") };
}

/**
 * What LangGraph's API server looks for on `graph.builder` to answer `assistants.getSchemas`
 * at run time (its "StateSchema-like" test: both methods present).
 */
interface PublishedSchema {
  getJsonSchema(): JsonSchema;
  getInputJsonSchema(): JsonSchema;
}

/**
 * Lets LangGraph's API server publish the workflow's state schema (`assistants.getSchemas`,
 * and so Studio's input form).
 *
 * Governor builds its graph from an Annotation (see stateAnnotation), which the server cannot
 * read: it would answer `{"type":"object"}`. The server's runtime extraction
 * (`getRuntimeGraphSchema`) asks `graph.builder._schemaRuntimeDefinition` (and the output slot) for
 * `getJsonSchema()` and `getInputJsonSchema()`, so that is where the schemas are put. LangGraph
 * itself validates with that slot only when it holds a real StateSchema or zod object, which
 * this is not: input is still checked by Governor's input contract. Config stays unpublished
 * (the server answers none): a run's only configurable is the principal, set by the runtime.
 */
export function publishStateSchema<TGraph>(
  graph: TGraph,
  workflow: Pick<Workflow, "name" | "state">,
): TGraph {
  const builder = (graph as { builder?: Record<string, unknown> }).builder;
  if (!builder) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The compiled graph of workflow "${workflow.name}" has no builder: this version of @langchain/langgraph cannot publish its state schema`,
      { workflow: workflow.name },
    );
  }
  const schemas = stateJsonSchemas(workflow);
  const published: PublishedSchema = {
    getJsonSchema: () => schemas.state,
    getInputJsonSchema: () => schemas.input,
  };
  // The output is the state: the server asks its own slot for it.
  builder._schemaRuntimeDefinition = published;
  builder._outputRuntimeDefinition = published;
  return graph;
}
