import { findRun } from "@governor/core";
import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleContext, ConsoleEnv } from "../console-context.js";
import { graphView, runMarks } from "../graph-view.js";
import { renderRunRow, renderSelect } from "../pages/run-rows.js";
import { renderTimeline, renderUsage } from "../pages/timeline-view.js";
import { RUN_STATUSES, statusFilter, threadParam, timelineOf, workflowFilter } from "../run-data.js";

/** How many runs the list shows (newest first); the CLI's `governor runs --page` reaches the rest. */
const LIST_LIMIT = 200;

/** GET /runs (filtered list, live) and GET /runs/:thread (timeline, usage, graph, live). */
export function runRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/runs", async (c) => {
    const statusText = c.req.query("status") ?? "";
    const workflowText = c.req.query("workflow") ?? "";
    const status = statusFilter(statusText);
    const workflow = workflowFilter(workflowText);
    const filter = { ...(status ? { status } : {}), ...(workflow !== undefined ? { workflow } : {}) };
    const runs = await ctx.runtime.store.runs.find(filter, { limit: LIST_LIMIT });
    const total = await ctx.runtime.store.runs.count(filter);
    const workflows = [
      ...new Set([
        ...ctx.options.workflows.map((w) => w.name),
        ...runs.map((r) => r.workflow),
        ...(workflow ? [workflow] : []),
      ]),
    ].sort();
    const live = `/events/runs?${new URLSearchParams({ status: statusText, workflow: workflowText })}`;
    const body = html`<form method="get" action="/runs" class="filters" data-testid="run-filters">
${renderSelect("status", "Status", RUN_STATUSES, statusText)}
${renderSelect("workflow", "Workflow", workflows, workflowText)}
<button type="submit">Filter</button>
</form>
<p class="summary" data-testid="run-count" data-total="${total}">${total} run(s)${total > runs.length ? `, the newest ${runs.length} shown` : ""}; statuses update live.</p>
<table class="runs" data-testid="runs">
<thead><tr><th>Thread</th><th>Workflow</th><th>Status</th><th>Principal</th><th>Started (UTC)</th><th>Last change (UTC)</th></tr></thead>
<tbody id="run-rows" data-live="${live}">${runs.map(renderRunRow)}</tbody>
</table>`;
    return ctx.layout(c, "Runs", body);
  });

  app.get("/runs/:thread", async (c) => {
    const run = await findRun(ctx.runtime, threadParam(c.req.param("thread")));
    const timeline = await timelineOf(ctx.runtime, run);
    // The registry keeps a failure's error only for some failures; the journal's run record has it always.
    const error = run.error ?? timeline.outcome.error;
    const known = await ctx.options.workflowFor(run);
    const graph = known
      ? graphView(known.workflow, runMarks(timeline))
      : html`<p data-testid="graph-missing">The console does not know workflow ${run.workflow} (source ${run.source}): no diagram, and its approvals cannot be decided here.</p>`;
    const live = `/events/runs/${encodeURIComponent(run.threadId)}`;
    const body = html`<section class="run" id="run" data-live="${live}" data-thread="${run.threadId}">
<dl class="run-facts">
<dt>Thread</dt><dd data-testid="run-thread">${run.threadId}</dd>
<dt>Status</dt><dd data-testid="run-status" class="status ${run.status}">${run.status}</dd>
<dt>Workflow</dt><dd data-testid="run-workflow">${run.workflow} (${run.source})</dd>
<dt>Principal</dt><dd>${run.principal.id}</dd>
<dt>Started</dt><dd>${run.createdAt}</dd>
<dt>Last change</dt><dd data-testid="run-updated">${run.updatedAt}</dd>
${error ? html`<dt>Error</dt><dd data-testid="run-error">${error}</dd>` : ""}
</dl>
${run.status === "waiting" ? html`<p><a href="/approvals">Decide it in the approvals inbox</a></p>` : ""}
<p><a href="/audit/${encodeURIComponent(run.threadId)}">Audit records of this run</a></p>
<h2>Graph</h2>
${graph}
<h2>Usage and cost</h2>
${renderUsage(timeline)}
<h2>Timeline</h2>
${renderTimeline(timeline)}
</section>`;
    return ctx.layout(c, `Run ${run.threadId.slice(0, 12)}`, body);
  });

  return app;
}
