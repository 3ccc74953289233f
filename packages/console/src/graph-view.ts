import type { Workflow } from "@governor/core";
import type { RunTimeline } from "@governor/observability";
import { html, raw } from "hono/html";
import type { Html } from "./console-context.js";
import { type Diagram, diagramOf, type NodeStatus, renderGraphSvg } from "./graph/index.js";

/** Diagrams by workflow: a workflow's structure does not change while the console runs. */
const diagrams = new WeakMap<Workflow, Diagram>();

/**
 * A workflow's diagram for a page, optionally marked with where a run stands.
 *
 * The one `raw()` of the console: the SVG comes from graph/render-graph-svg, which XML-escapes
 * every text it draws (node ids, labels, descriptions from the workflow's code) and emits no
 * script, handler or style attribute. Nothing from a run reaches it but node ids, which it
 * matches against the diagram's own and escapes.
 */
export function graphView(
  workflow: Workflow,
  marks: { current?: string[]; status?: Record<string, NodeStatus> } = {},
): Html {
  let diagram = diagrams.get(workflow);
  try {
    if (!diagram) {
      diagram = diagramOf(workflow);
      diagrams.set(workflow, diagram);
    }
    return html`<figure class="graph">${raw(renderGraphSvg(diagram, marks))}</figure>`;
  } catch (error) {
    return html`<p class="error" data-testid="graph-error">The diagram of ${workflow.name} could not be drawn: ${error instanceof Error ? error.message : String(error)}</p>`;
  }
}

/** Where a run stands on its graph: the nodes it left records at, and the one it is at now. */
export function runMarks(timeline: RunTimeline): { current: string[]; status: Record<string, NodeStatus> } {
  const status: Record<string, NodeStatus> = {};
  for (const step of timeline.steps) status[step] = "done";
  const last = timeline.steps.at(-1);
  const runStatus = timeline.run.status;
  if (last === undefined || runStatus === "completed") return { current: [], status };
  if (runStatus === "waiting") status[last] = "waiting";
  if (runStatus === "failed") status[last] = "failed";
  return { current: [last], status };
}
