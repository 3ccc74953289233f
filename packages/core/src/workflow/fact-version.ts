import { hashOf } from "@governor/observability";
import type { Workflow } from "./define-workflow.js";

/**
 * The version of the workflow code that decisions depend on besides the policy text. A
 * changed fact computation changes what the policy is asked, so it must lapse approvals
 * given under the old one, as a changed policy does.
 *
 * A declared `workflow.version` (a release or build id) is that version: the author vouches
 * for it, it covers the helpers the callbacks call, and it is the same in every process that
 * runs the release, whichever build (sources through a loader, or compiled output) it loads.
 * Without one, the source text of every gate's fact callbacks (`context`, `resource`,
 * `facts`) is hashed: safe by default, but the text differs between a source-loaded and a
 * compiled build, so processes mixing the two see different versions and approvals lapse.
 */
export function workflowFactVersion(workflow: Workflow): string {
  if (typeof workflow.version === "string" && workflow.version !== "") {
    return `facts:v:${hashOf({ version: workflow.version }).slice(0, 16)}`;
  }
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
  return `facts:${hashOf({ gates }).slice(0, 16)}`;
}

function sourceOf(fn: unknown): string | null {
  return typeof fn === "function" ? Function.prototype.toString.call(fn) : null;
}
