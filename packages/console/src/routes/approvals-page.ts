import type { BudgetRequest, RunRecord } from "@governor/core";
import { html } from "hono/html";
import type { Html } from "../console-context.js";
import type { Decidability, Inbox, InboxApproval, InboxBudget } from "./approvals-inbox.js";

/** Who decides from this browser, as the inbox says it. */
export type DecidingAs =
  | { readonly proof: "token"; readonly approver: string | undefined }
  | { readonly proof: "local-key"; readonly defaultApprover: string | undefined };

export interface InboxPageParts {
  readonly inbox: Inbox;
  readonly decidingAs: DecidingAs;
  /** The hidden CSRF field every form carries. */
  readonly csrf: Html;
}

/**
 * The approvals inbox: what each waiting request would do, exactly (tool, masked arguments,
 * the policies and reasons that sent it here, the call hash the decision is bound to, expiry,
 * who may decide), and a form to approve or reject it with a reason. Every value comes from
 * a run, a model or a tool, so each goes through hono/html's escaping; none is raw.
 */
export function renderInbox(parts: InboxPageParts): Html {
  const { approvals, budgets } = parts.inbox;
  const empty = !approvals.length && !budgets.length;
  return html`${decidingAsBanner(parts.decidingAs)}
${empty ? html`<p data-testid="inbox-empty">Nothing is waiting for a decision.</p>` : ""}
${approvals.length ? html`<h2>Waiting for a decision</h2>${approvals.map((entry) => approvalCard(entry, parts))}` : ""}
${budgets.length ? html`<h2>Budget requests</h2>${budgets.map((entry) => budgetCard(entry, parts))}` : ""}`;
}

function decidingAsBanner(decidingAs: DecidingAs): Html {
  if (decidingAs.proof === "local-key") {
    return html`<p class="deciding-as" data-testid="deciding-as">Deciding with this store's local approver key, as the approver picked on each request${decidingAs.defaultApprover ? html` (default ${decidingAs.defaultApprover})` : ""}.</p>`;
  }
  if (!decidingAs.approver) {
    return html`<p class="deciding-as error" data-testid="deciding-as">Not signed in: <a href="/login">sign in with your approver token</a> to decide.</p>`;
  }
  return html`<p class="deciding-as" data-testid="deciding-as">Deciding as <strong>${decidingAs.approver}</strong> (approver token). <a href="/login">Switch or sign out</a></p>`;
}

function approvalCard(entry: InboxApproval, parts: InboxPageParts): Html {
  const { run, request } = entry;
  return html`<article class="approval" data-testid="approval" data-thread="${run.threadId}" data-request="${request.requestId}">
<h3>${runLink(run)} · ${request.node}</h3>
${request.summary ? html`<p class="summary" data-testid="approval-summary">${request.summary}</p>` : ""}
<dl>
<dt>Tool</dt><dd data-testid="approval-tool">${request.tool}</dd>
<dt>Arguments</dt><dd><pre data-testid="approval-args">${JSON.stringify(request.args, null, 2)}</pre></dd>
<dt>Why it waits</dt><dd data-testid="approval-reasons"><ul>${request.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></dd>
<dt>Policies</dt><dd data-testid="approval-policies">${request.policyIds.join(", ") || "none named"}</dd>
<dt>Call hash</dt><dd><code data-testid="approval-call-hash">${request.callHash}</code></dd>
<dt>Requested</dt><dd><time datetime="${request.requestedAt}">${request.requestedAt}</time></dd>
<dt>Expires</dt><dd data-testid="approval-expires"><time datetime="${request.expiresAt}">${request.expiresAt}</time></dd>
<dt>Who may approve</dt><dd data-testid="approval-approvers">${whoMay(entry.decidability, request.requiredScope)}</dd>
${request.refusedAnswer ? html`<dt>Previous answer refused</dt><dd class="error" data-testid="approval-refused">${request.refusedAnswer}</dd>` : ""}
</dl>
${approvalForm(entry, parts)}
</article>`;
}

function approvalForm(entry: InboxApproval, parts: InboxPageParts): Html {
  const { run, request, decidability } = entry;
  if (!decidability.decidable) return undecidable(decidability.why);
  return html`<form method="post" action="/approvals/${encodeURIComponent(run.threadId)}/decide" class="decide" data-testid="decide-form">
${parts.csrf}
<input type="hidden" name="requestId" value="${request.requestId}">
<input type="hidden" name="callHash" value="${request.callHash}">
${approverField(parts.decidingAs, decidability.eligible)}
<label>Reason <textarea name="reason" maxlength="2000" rows="2"></textarea></label>
<button type="submit" name="decision" value="approve" data-testid="approve">Approve</button>
<button type="submit" name="decision" value="reject" data-testid="reject">Reject</button>
</form>`;
}

function budgetCard(entry: InboxBudget, parts: InboxPageParts): Html {
  const { run, request } = entry;
  return html`<article class="budget-request" data-testid="budget-request" data-thread="${run.threadId}" data-request="${request.requestId}">
<h3>${runLink(run)} · ${request.node}</h3>
<p class="summary" data-testid="budget-summary">${request.summary}</p>
<dl>
<dt>Would overrun</dt><dd data-testid="budget-exceeded">${request.exceeded.join(", ")}</dd>
<dt>Model</dt><dd>${request.model}</dd>
<dt>Used so far</dt><dd data-testid="budget-used">${usedText(request)}</dd>
<dt>Budget</dt><dd data-testid="budget-limits">${JSON.stringify(request.budget)}</dd>
<dt>Who may grant more</dt><dd data-testid="budget-approvers">${whoMay(entry.decidability, "budgets:extend")}</dd>
${request.refusedAnswer ? html`<dt>Previous answer refused</dt><dd class="error" data-testid="budget-refused">${request.refusedAnswer}</dd>` : ""}
</dl>
${budgetForm(entry, parts)}
</article>`;
}

function budgetForm(entry: InboxBudget, parts: InboxPageParts): Html {
  const { run, request, decidability } = entry;
  if (!decidability.decidable) return undecidable(decidability.why);
  return html`<form method="post" action="/budgets/${encodeURIComponent(run.threadId)}/decide" class="decide" data-testid="budget-form">
${parts.csrf}
<input type="hidden" name="requestId" value="${request.requestId}">
${approverField(parts.decidingAs, decidability.eligible)}
<label>More tokens <input type="number" name="tokens" min="1" step="1"></label>
<label>More cost (USD) <input type="number" name="costUsd" min="0.01" step="0.01"></label>
<label>More steps <input type="number" name="steps" min="1" step="1"></label>
<label>Reason <textarea name="reason" maxlength="2000" rows="2"></textarea></label>
<button type="submit" name="decision" value="extend" data-testid="budget-extend">Extend</button>
<button type="submit" name="decision" value="stop" data-testid="budget-stop">Stop the run</button>
</form>`;
}

/**
 * The approver picker, only where the person at the machine picks (loopback, no tokens):
 * the approvers the workflow names, or a free field when its registry cannot list them.
 */
function approverField(decidingAs: DecidingAs, eligible: readonly string[] | undefined): Html {
  if (decidingAs.proof === "token") return html``;
  const fallback = decidingAs.defaultApprover;
  if (eligible?.length) {
    const chosen = fallback && eligible.includes(fallback) ? fallback : eligible[0];
    return html`<label>Decide as <select name="approver">${eligible.map(
      (id) => html`<option value="${id}"${id === chosen ? html` selected` : ""}>${id}</option>`,
    )}</select></label>`;
  }
  return html`<label>Decide as <input type="text" name="approver" maxlength="200" value="${fallback ?? ""}" required></label>`;
}

function whoMay(decidability: Decidability, scope: string | undefined): Html {
  const needs = scope ? html` <span class="scope">(needs ${scope})</span>` : "";
  if (!decidability.decidable) return html`unknown: the console cannot load this run's workflow${needs}`;
  if (decidability.eligible === undefined) return html`any approver${needs}`;
  if (!decidability.eligible.length) return html`nobody: no approver holds it${needs}`;
  return html`${decidability.eligible.join(", ")}${needs}`;
}

function undecidable(why: string): Html {
  return html`<p class="error" data-testid="approval-undecidable">Cannot be decided here: ${why}</p>`;
}

function runLink(run: RunRecord): Html {
  return html`<a href="/runs/${encodeURIComponent(run.threadId)}">${run.threadId}</a> · ${run.workflow}`;
}

function usedText(request: BudgetRequest): string {
  const { steps, tokens, costUsd } = request.used;
  return `${steps} steps, ${tokens} tokens, $${costUsd.toFixed(4)}`;
}
