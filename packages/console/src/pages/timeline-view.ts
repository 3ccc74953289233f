import type { RunTimeline } from "@governor/observability";
import { html } from "hono/html";
import type { Html } from "../console-context.js";
import { type EntryText, entryText } from "./timeline-text.js";

/** One entry as a list item (the script builds the same shape for entries that arrive live). */
export function renderEntry(entry: EntryText): Html {
  return html`<li data-testid="timeline-entry" data-seq="${entry.seq}" class="entry ${entry.type}">
<time datetime="${entry.at}">${entry.at.slice(11, 19)}</time> <span class="node">${entry.node}</span>
<span class="headline">${entry.headline}</span>${
    entry.details.length
      ? html`<ul class="details">${entry.details.map((line) => html`<li>${line}</li>`)}</ul>`
      : ""
  }</li>`;
}

/** The run's timeline: every entry in journal order. */
export function renderTimeline(timeline: RunTimeline): Html {
  if (!timeline.entries.length)
    return html`<ol class="timeline" data-testid="timeline"></ol><p>No records yet.</p>`;
  return html`<ol class="timeline" data-testid="timeline">${timeline.entries.map((entry) => renderEntry(entryText(entry)))}</ol>`;
}

/** Tokens, cost, model calls, steps and limits: the footer of `governor runs show`. */
export function renderUsage(timeline: RunTimeline): Html {
  const { totals, budget, outcome } = timeline;
  const limits = budget?.limits
    ? Object.entries(budget.limits)
        .map(([key, value]) => `${key} ${value}`)
        .join(", ")
    : "none of its own (the workflow's defaults apply)";
  return html`<dl class="usage" data-testid="run-usage">
<dt>Outcome</dt><dd>${outcome.status}${outcome.waitingFor?.length ? ` for ${outcome.waitingFor.map((w) => `${w.type}${w.tool ? ` of ${w.tool}` : ""}`).join(", ")}` : ""}${outcome.error ? `: ${outcome.error}` : ""}</dd>
<dt>Model calls</dt><dd>${totals.calls}</dd>
<dt>Tokens</dt><dd>${totals.tokens} (${totals.inputTokens} in, ${totals.outputTokens} out)</dd>
<dt>Cost</dt><dd data-testid="run-cost">$${totals.costUsd.toFixed(6)}</dd>
<dt>Steps</dt><dd>${budget ? `${budget.steps} steps, ${budget.activeMs} ms active (waits excluded)` : "no checkpoint to read the steps from"}</dd>
<dt>Limits</dt><dd>${budget ? limits : "unknown"}</dd>
</dl>`;
}
