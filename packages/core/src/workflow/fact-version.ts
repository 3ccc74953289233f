import { hashOf } from "@governor/observability";
import type { Workflow } from "./define-workflow.js";

/**
 * The version of the workflow code that decisions depend on besides the policy text: the
 * source of every gate's fact callbacks (`context`, `resource`, `facts`) and the workflow's
 * declared `version`. A changed fact computation changes what the policy is asked, so it
 * must lapse approvals given under the old one, as a changed policy does.
 *
 * Function source covers the callback itself, not the helpers it calls: declare
 * `workflow.version` (a release or build hash) to cover those.
 */
export function workflowFactVersion(workflow: Workflow): string {
  const gates = Object.entries(workflow.nodes)
    .filter(([, node]) => node?.kind === "gate")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, node]) => {
      const gate = node as Extract<typeof node, { kind: "gate" }>;
      return {
        id,
        context: sourceOf(gate.context),
        resource: sourceOf(gate.resource),
        facts: sourceOf(gate.facts),
      };
    });
  return `facts:${hashOf({ version: workflow.version ?? null, gates }).slice(0, 16)}`;
}

function sourceOf(fn: unknown): string | null {
  return typeof fn === "function" ? Function.prototype.toString.call(fn) : null;
}
