import { agentPrincipal } from "@governor/identity";
import { resolveChatModel } from "@governor/models";
import { type CompiledWorkflow, compile } from "../graph/compile.js";
import { publishStateSchema } from "../graph/state-json-schema.js";
import { openGovernorStore } from "../store/open-governor-store.js";
import type { SampleDefinition } from "./define-sample.js";
import { resolveNamedModels } from "./named-models.js";
import { recordServerRuns } from "./server-runs.js";
import { startServerTracing } from "./server-tracing.js";

/**
 * A sample's graph as LangGraph's API server (and so Studio) loads it, on the store
 * DATABASE_URL or GOVERNOR_DIR names (journals, approver keys, replay ledger, kill switch,
 * budgets), with a real model when OPENAI_API_KEY is set and the sample's scripted model
 * otherwise (and so for each of its named `models`, when its steps route between them). Spans
 * are exported when the environment names a tracing endpoint (LANGFUSE_* or
 * OTEL_EXPORTER_OTLP_ENDPOINT).
 *
 * One store, every surface: the graph keeps the store's checkpointer whatever the server
 * assigns, and every server run is recorded as a Governor run (`sample:NAME`), so the CLI and
 * the console list, audit and approve Studio's runs (see recordServerRuns). The state's JSON
 * Schema is published for Studio's input form (see publishStateSchema). Like every compiled
 * graph, its `getState().next` keeps an interrupted approval node after a refused answer.
 *
 * @example
 * // graphs/refund/src/studio.ts, named in langgraph.json
 * export const graph = await compileForServer(refundSample);
 */
export async function compileForServer(
  sample: SampleDefinition,
  options: { dir?: string } = {},
): Promise<CompiledWorkflow> {
  await startServerTracing();
  // DATABASE_URL moves the server to PostgreSQL, as it does the CLI and the workers.
  const store = await openGovernorStore({ dir: options.dir });
  const { model } = await resolveChatModel({ scenario: sample.scenario });
  const named = await resolveNamedModels(sample.workflow, sample.models);
  const { workflow } = sample;
  const graph = compile(workflow, {
    model,
    models: named?.models,
    checkpointer: store.checkpointer,
    ...store.graphServices(),
  });
  publishStateSchema(graph, workflow);
  return recordServerRuns(graph, {
    workflow,
    // The key the CLI loads samples by (apps/cli's load-target), so `governor approve` finds it.
    source: `sample:${sample.name}`,
    stores: store,
    defaultPrincipal: agentPrincipal(workflow.agent.id, workflow.agent.scopes, workflow.agent.roles),
  });
}
