import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleContext, ConsoleEnv } from "../console-context.js";
import { graphView } from "../graph-view.js";

/** GET /graphs (every registered workflow) and GET /graphs/:name (its diagram). */
export function graphRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/graphs", (c) => {
    const workflows = [...ctx.options.workflows].sort((a, b) => a.name.localeCompare(b.name));
    const body = workflows.length
      ? html`<ul class="workflows" data-testid="workflows">${workflows.map(
          (w) =>
            html`<li data-testid="workflow" data-workflow="${w.name}"><a href="/graphs/${encodeURIComponent(w.name)}">${w.name}</a> <span class="source">${w.source}</span> · ${Object.keys(w.workflow.nodes).length} nodes</li>`,
        )}</ul>`
      : html`<p>No workflow is registered: samples and the workflows of governor.config.json appear here.</p>`;
    return ctx.layout(c, "Graphs", body);
  });

  app.get("/graphs/:name", (c) => {
    const name = c.req.param("name");
    const known = ctx.options.workflows.find((w) => w.name === name);
    if (!known) {
      return ctx.layout(
        c,
        "Not found",
        html`<p class="error" data-testid="error">No registered workflow is named "${name.slice(0, 100)}": see <a href="/graphs">Graphs</a> for the ones the console knows.</p>`,
        404,
      );
    }
    const body = html`<p class="source">${known.source} · agent ${known.workflow.agent.id}</p>
<p>Hover a node for its description; shapes and colours tell the node kinds apart (see the legend).</p>
${graphView(known.workflow)}`;
    return ctx.layout(c, `Graph ${known.name}`, body);
  });

  return app;
}
