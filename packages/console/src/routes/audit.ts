import { KILL_SWITCH_THREAD } from "@governor/core";
import type { AuditRecord, AuditVerification } from "@governor/observability";
import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleContext, ConsoleEnv, Html } from "../console-context.js";
import { shown } from "../pages/timeline-text.js";
import { threadParam } from "../run-data.js";

const RECENT_THREADS = 50;

/** The last chain verification this console ran, and when. */
interface Verified {
  readonly at: string;
  readonly result: AuditVerification;
}

/** GET /audit (chain status, recent threads), GET /audit/:thread (its records), POST /audit/verify. */
export function auditRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  let verified: Verified | undefined;

  app.get("/audit", async (c) => {
    const runs = await ctx.runtime.store.runs.find({}, { limit: RECENT_THREADS });
    const body = html`<section class="chain">
<h2>Chain</h2>
${verificationText(verified)}
<form method="post" action="/audit/verify">${ctx.csrfField(c)}<button type="submit" data-testid="verify-chain">Verify chain</button></form>
</section>
<h2>Recent runs</h2>
<ul class="threads" data-testid="audit-threads">
${runs.map((run) => html`<li><a href="/audit/${encodeURIComponent(run.threadId)}" data-testid="audit-thread">${run.threadId}</a> ${run.workflow} · ${run.status}</li>`)}
<li><a href="/audit/${encodeURIComponent(KILL_SWITCH_THREAD)}">Kill switch records</a></li>
</ul>`;
    return ctx.layout(c, "Audit", body);
  });

  app.post("/audit/verify", async (c) => {
    verified = { at: new Date().toISOString(), result: await ctx.runtime.store.audit.verify() };
    const { result } = verified;
    return ctx.redirectWithFlash(c, "/audit", {
      kind: result.ok ? "ok" : "error",
      message: result.ok
        ? `Audit chain intact: ${result.records} records`
        : `Audit chain broken at record ${result.brokenAt} (${result.problem}): ${result.reason}`,
    });
  });

  app.get("/audit/:thread", async (c) => {
    const threadId = threadParam(c.req.param("thread"));
    const records = await ctx.runtime.store.audit.list(threadId);
    if (!records.length && !(await ctx.runtime.store.runs.get(threadId))) {
      return ctx.layout(
        c,
        "Not found",
        html`<p class="error" data-testid="error">No run and no audit record has thread id ${threadId}.</p>`,
        404,
      );
    }
    const body = html`<p>${records.length} record(s) of thread <span data-testid="audit-thread-id">${threadId}</span>, in chain order.${
      threadId === KILL_SWITCH_THREAD
        ? ""
        : html` <a href="/runs/${encodeURIComponent(threadId)}">The run's page</a>`
    }</p>
<table class="audit" data-testid="audit-records">
<thead><tr><th>Seq</th><th>Time (UTC)</th><th>Node</th><th>Kind</th><th>Outcome</th><th>Tool</th><th>Approver / by</th><th>Reason</th></tr></thead>
<tbody>${records.map(renderRecord)}</tbody>
</table>`;
    return ctx.layout(c, `Audit of run ${threadId.slice(0, 12)}…`, body);
  });

  return app;
}

function verificationText(verified: Verified | undefined): Html {
  if (!verified)
    return html`<p data-testid="verify-result" class="unknown">Not verified since the console started: verify walks every record and checks its seal and the signed head.</p>`;
  const { result, at } = verified;
  return result.ok
    ? html`<p data-testid="verify-result" class="ok">Intact: ${result.records} records, ${result.anchored} anchored by the signed head (key ${result.keyId}); verified ${at}.</p>`
    : html`<p data-testid="verify-result" class="error">Broken at record ${result.brokenAt} (${result.problem}): ${result.reason}; ${result.records} records; verified ${at}.</p>`;
}

/** One record: who decided (approver for approvals, by for kill switches) and why, as text. */
function renderRecord(record: AuditRecord): Html {
  const data = record.data;
  const who = text(data.approver) ?? text(data.by) ?? "";
  const reasons = Array.isArray(data.reasons) ? data.reasons.map((r) => shown(r as never)).join("; ") : "";
  const reason = text(data.reason) ?? (reasons || (text(data.error) ?? ""));
  return html`<tr data-testid="audit-record" data-seq="${record.seq}" data-kind="${record.kind}">
<td>${record.seq}</td><td><time datetime="${record.at}">${record.at.slice(0, 19).replace("T", " ")}</time></td>
<td>${record.node ?? ""}</td><td data-testid="audit-kind">${record.kind}</td><td data-testid="audit-outcome">${record.outcome}</td>
<td data-testid="audit-tool">${record.tool ?? ""}</td><td data-testid="audit-approver">${who}</td><td data-testid="audit-reason">${reason}</td>
</tr>`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? shown(value) : undefined;
}
