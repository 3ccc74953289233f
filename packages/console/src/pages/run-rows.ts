import type { RunRecord } from "@governor/core";
import { html } from "hono/html";
import type { Html } from "../console-context.js";

/** One run as a row of the runs list (the script builds the same shape for runs that appear live). */
export function renderRunRow(run: RunRecord): Html {
  const href = `/runs/${encodeURIComponent(run.threadId)}`;
  return html`<tr data-testid="run-row" data-thread="${run.threadId}">
<td><a href="${href}" data-testid="run-link">${run.threadId.slice(0, 12)}</a></td>
<td data-testid="run-workflow">${run.workflow}</td>
<td data-testid="run-status" class="status ${run.status}">${run.status}</td>
<td>${run.principal.id}</td>
<td><time datetime="${run.createdAt}">${run.createdAt.slice(0, 19).replace("T", " ")}</time></td>
<td data-testid="run-updated"><time datetime="${run.updatedAt}">${run.updatedAt.slice(0, 19).replace("T", " ")}</time></td>
</tr>`;
}

/** A select whose options are `values` ("" is "any"), with `selected` chosen. */
export function renderSelect(name: string, label: string, values: readonly string[], selected: string): Html {
  return html`<label>${label} <select name="${name}" data-autosubmit="true">
<option value=""${selected === "" ? html` selected` : ""}>any</option>
${values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ""}>${value}</option>`)}
</select></label>`;
}
