import { canonicalId, type GovernorRuntime, workflowAgents } from "@governor/core";
import { loadTarget } from "./load-target.js";
import { SAMPLES } from "./samples.js";
import type { WorkflowConfig } from "./workflow-config.js";

/** The agents a kill switch can name, and the workflows that could not be read for theirs. */
export interface KnownAgents {
  /** Canonical agent id → where it comes from (workflow names, or "runs in this store"). */
  readonly agents: ReadonlyMap<string, readonly string[]>;
  /** Registered workflows that failed to load: their agents are unknown, not absent. */
  readonly unreadable: readonly string[];
}

/**
 * Every agent a run could act as: the agent of each sample and registered workflow and of
 * each of their agent nodes, plus any agent a recorded run acted as (a run of an unregistered
 * module). A kill switch for any other id would hold nothing, while looking like it does.
 */
export async function knownAgents(runtime: GovernorRuntime, config: WorkflowConfig): Promise<KnownAgents> {
  const agents = new Map<string, string[]>();
  const add = (id: string, from: string) => {
    const key = canonicalId(id, "agent id");
    agents.set(key, [...new Set([...(agents.get(key) ?? []), from])]);
  };
  for (const entry of SAMPLES.values()) {
    const sample = await entry.load();
    for (const id of workflowAgents(sample.workflow)) add(id, sample.workflow.name);
  }
  const unreadable: string[] = [];
  for (const name of config.workflows.keys()) {
    try {
      const target = await loadTarget(name, config);
      for (const id of workflowAgents(target.workflow)) add(id, name);
    } catch {
      // An emergency stop must not depend on every module loading: name it, decide without it.
      unreadable.push(name);
    }
  }
  for (const run of await runtime.store.runs.list()) add(run.principal.agentId, "runs in this store");
  return { agents, unreadable };
}
