import type { Workflow } from "../workflow/define-workflow.js";
import { canonicalId } from "./canonical-id.js";

/**
 * Every agent a run of `workflow` can act as, canonical: the workflow's own agent and the agent
 * of each of its agent nodes. A per-agent kill switch for any other id holds nothing of this
 * workflow's runs; the CLI's `kill --agent` and the console's kill form both check against this.
 */
export function workflowAgents(workflow: Workflow): string[] {
  const ids = [workflow.agent.id];
  for (const node of Object.values(workflow.nodes)) {
    if (node.kind === "agent" && node.agent) ids.push(node.agent.id);
  }
  return [...new Set(ids.map((id) => canonicalId(id, "agent id")))];
}
