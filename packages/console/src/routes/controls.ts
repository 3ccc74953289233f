import { utcDay } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { Hono } from "hono";
import { html } from "hono/html";
import { provenApprover } from "../approver-auth-session.js";
import type { ConsoleContext, ConsoleEnv, ConsoleRequest } from "../console-context.js";
import { killRequestOf, unkillAgentOf } from "../kill-form.js";
import { RUN_STATUSES } from "../run-data.js";
import { auditRefusedPost } from "../security/refusal-audit.js";

/** GET /controls (what `governor status` shows, and the kill switch), POST /controls/kill and /controls/unkill. */
export function controlRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/controls", async (c) => {
    const { runtime } = ctx;
    const kills = await runtime.killSwitches();
    const day = utcDay(Date.now());
    const spend = await runtime.store.spend.byPrincipal(day);
    const counts = await Promise.all(
      RUN_STATUSES.map(async (status) => [status, await runtime.store.runs.count({ status })] as const),
    );
    const agents = [...new Set(ctx.options.workflows.map((w) => w.workflow.agent.id))].sort();
    const body = html`<section>
<h2>Kill switches</h2>
${kills.length ? "" : html`<p class="ok" data-testid="no-kill-switch">None engaged.</p>`}
<ul class="kill-switches">
${kills.map((record) => {
  const agent = record.scope === "global" ? "" : record.scope.slice("agent:".length);
  return html`<li data-testid="kill-switch" data-scope="${record.scope}"><strong>${record.scope}</strong>: ${record.reason} · since ${record.at}${record.by ? ` · by ${record.by}` : ""}
<form method="post" action="/controls/unkill" class="inline">${ctx.csrfField(c)}<input type="hidden" name="agent" value="${agent}"><button type="submit" data-testid="unkill">Release</button></form></li>`;
})}
</ul>
<form method="post" action="/controls/kill" data-testid="kill-form" class="kill">
${ctx.csrfField(c)}
<label>Agent (empty: every run) <input name="agent" list="agents" autocomplete="off"></label>
<datalist id="agents">${agents.map((agent) => html`<option value="${agent}"></option>`)}</datalist>
<label>Reason <input name="reason" required maxlength="500"></label>
<button type="submit" data-testid="kill" class="danger">Engage kill switch</button>
</form>
</section>
<section>
<h2>Runs by status</h2>
<ul class="run-counts" data-testid="run-counts">${counts.map(([status, count]) => html`<li data-status="${status}"><a href="/runs?status=${status}">${count} ${status}</a></li>`)}</ul>
</section>
<section>
<h2>Model spend on ${day} (UTC)</h2>
<table data-testid="spend"><thead><tr><th>Principal</th><th>Cost</th><th>Runs</th></tr></thead>
<tbody>${spend.length ? spend.map((row) => html`<tr data-testid="spend-row"><td>${row.principal}</td><td>$${row.costUsd.toFixed(6)}</td><td>${row.runs}</td></tr>`) : html`<tr><td colspan="3">none</td></tr>`}</tbody></table>
</section>`;
    return ctx.layout(c, "Controls", body);
  });

  app.post("/controls/kill", async (c) => {
    try {
      const request = killRequestOf(await c.req.parseBody({ all: true }), ctx.options.workflows);
      const by = await operatorOf(ctx, c);
      const record = await ctx.runtime.kill({ ...request, by });
      const what = request.agent === undefined ? "every run" : `runs of agent ${request.agent}`;
      return ctx.redirectWithFlash(c, "/controls", {
        kind: "ok",
        message: `Kill switch engaged (${record.scope}): ${what} stop at their next step, and new ones are refused until it is released`,
      });
    } catch (error) {
      return refusal(ctx, c, error);
    }
  });

  app.post("/controls/unkill", async (c) => {
    try {
      const agent = unkillAgentOf(await c.req.parseBody({ all: true }));
      const scope = agent === undefined ? "global" : `agent:${agent}`;
      const by = await operatorOf(ctx, c);
      const released = await ctx.runtime.unkill({ ...(agent !== undefined ? { agent } : {}), by });
      return ctx.redirectWithFlash(c, "/controls", {
        kind: released ? "ok" : "error",
        message: released
          ? `Kill switch released (${scope})`
          : `No ${scope} kill switch was engaged: nothing was released`,
      });
    } catch (error) {
      return refusal(ctx, c, error);
    }
  });

  return app;
}

/**
 * Who moves a switch, proved as a decision's approver is: off loopback (or wherever approver
 * tokens are configured) the signed-in token's subject, so nobody who merely reaches the port
 * can stop or release every run; on loopback the console's approver. A refusal is audited.
 *
 * @throws {GovernorError} APPROVAL_INVALID when a token is needed and missing or invalid.
 */
async function operatorOf(ctx: ConsoleContext, c: ConsoleRequest): Promise<string> {
  try {
    return (await provenApprover(ctx, c, undefined)).approver;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await auditRefusedPost(ctx.runtime, c.req.path, why, { host: c.req.header("host") ?? "" });
    throw error;
  }
}

/** A form the console refuses: back to the controls page, saying why. Other failures propagate. */
function refusal(ctx: ConsoleContext, c: ConsoleRequest, error: unknown): Promise<Response> {
  if (!(error instanceof GovernorError)) throw error;
  return ctx.redirectWithFlash(c, "/controls", { kind: "error", message: `${error.code}: ${error.message}` });
}
