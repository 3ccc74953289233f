import { resolveChatModel } from "@governor/models";
import { type CompiledWorkflow, compile } from "../graph/compile.js";
import { openGovernorStore } from "../store/open-governor-store.js";
import type { SampleDefinition } from "./define-sample.js";
import { resolveNamedModels } from "./named-models.js";
import { startServerTracing } from "./server-tracing.js";

/**
 * A sample's graph as LangGraph's API server (and so Studio) loads it: compiled without a
 * checkpointer, since the server brings its own, on the store DATABASE_URL or GOVERNOR_DIR names (journals,
 * approver keys, replay ledger, kill switch, budgets), with a real model when
 * OPENAI_API_KEY is set and the sample's scripted model otherwise (and so for each of its
 * named `models`, when its steps route between them). Spans are exported when the
 * environment names a tracing endpoint (LANGFUSE_* or OTEL_EXPORTER_OTLP_ENDPOINT).
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
  return compile(sample.workflow, { model, models: named?.models, ...store.graphServices() });
}
