import { type CompileOptions, compile, type GovernorRuntime, type Workflow } from "@governor/core";

/**
 * A workflow compiled as `compileForServer` compiles a sample for LangGraph's API server (the
 * store's `graphServices()`), plus a checkpointer, which the server would bring. Whoever
 * calls this graph over HTTP chooses its `configurable` and may edit its threads' state, so
 * it is the surface an outside caller reaches.
 */
export function studioGraph(workflow: Workflow, runtime: GovernorRuntime, model: CompileOptions["model"]) {
  return compile(workflow, {
    model,
    checkpointer: runtime.store.checkpointer,
    ...runtime.store.graphServices(),
  });
}

/**
 * Edits a thread's state as Studio's "edit state" (the API server's `POST /threads/{id}/state`)
 * does: writes `values` as if `asNode` had just run, from the newest checkpoint at which
 * `asNode` was next. A decision node that ran fused inside an earlier node's step is never
 * "next": then the fork starts from the checkpoint that step wrote (the first at which the
 * node's route is in the state), as an attacker in Studio would pick it. Returns the config to
 * continue the fork from.
 */
export async function forkAs(
  graph: ReturnType<typeof studioGraph>,
  threadId: string,
  asNode: string,
  values: Record<string, unknown>,
) {
  const config = { configurable: { thread_id: threadId } };
  let decidedIn: (typeof snapshot)["config"] | undefined;
  let snapshot: Awaited<ReturnType<typeof graph.getState>>;
  for await (snapshot of graph.getStateHistory(config)) {
    if (snapshot.next.includes(asNode)) return graph.updateState(snapshot.config, values, asNode);
    const routes = (snapshot.values.governor as { routes?: Record<string, string> } | undefined)?.routes;
    if (routes?.[asNode] !== undefined) decidedIn = snapshot.config;
  }
  if (decidedIn) return graph.updateState(decidedIn, values, asNode);
  throw new Error(`thread ${threadId} never reached ${asNode}`);
}
