import { maskForDisplay } from "@governor/core";
import type { PlainJson, TimelineEntry } from "@governor/observability";

/** One timeline entry as a page shows it: what happened, then its details, all plain text. */
export interface EntryText {
  readonly seq: number;
  readonly at: string;
  readonly node: string;
  readonly type: TimelineEntry["type"];
  readonly outcome: string;
  readonly headline: string;
  readonly details: readonly string[];
}

/** How much of one value (a tool result, a model reply) a page shows; the audit keeps all that was recorded. */
const MAX_TEXT = 2_000;

/**
 * The words `governor runs show` prints for an entry, as plain text for the run page and its
 * live updates (the same text both ways, so a reload shows what the stream added). Every
 * string from a model or a tool passes through `maskForDisplay` and stays text: the page
 * escapes it and the script sets it with textContent.
 */
export function entryText(entry: TimelineEntry): EntryText {
  const [headline = "", ...details] = describe(entry);
  return {
    seq: entry.seq,
    at: entry.at,
    node: entry.node ?? "",
    type: entry.type,
    outcome: entry.outcome,
    headline,
    details,
  };
}

function describe(entry: TimelineEntry): string[] {
  switch (entry.type) {
    case "run":
      if (entry.outcome === "waiting" && entry.waitingFor?.length) {
        return [
          `run waiting for ${entry.waitingFor.map((w) => `${w.type}${w.tool ? ` of ${w.tool}` : ""}`).join(", ")}`,
        ];
      }
      return [`run ${entry.outcome}`, ...(entry.error ? [`error: ${shown(entry.error)}`] : [])];
    case "model":
      return [
        `model ${entry.model} ${entry.outcome}${entry.toolCalls.length ? ` → ${entry.toolCalls.join(", ")}` : ""}${entry.purpose ? ` (${entry.purpose})` : ""}`,
        [
          `${entry.inputTokens} in + ${entry.outputTokens} out tokens`,
          `$${entry.costUsd.toFixed(6)}`,
          ...(entry.latencyMs !== undefined ? [`${entry.latencyMs} ms`] : []),
          ...(entry.turn !== undefined ? [`turn ${entry.turn}`] : []),
        ].join(" · "),
        ...(entry.text?.trim() ? [`said: ${shown(entry.text)}`] : []),
      ];
    case "decision":
      return [
        `${entry.control} ${entry.outcome.toUpperCase()}${entry.tool ? ` ${entry.tool}` : ""}`,
        ...entry.reasons.map((reason) => `- ${shown(reason)}`),
        ...(entry.policyIds.length ? [`policies: ${entry.policyIds.join(", ")}`] : []),
      ];
    case "approval":
      return [
        `approval ${entry.outcome}${entry.tool ? ` ${entry.tool}` : ""}${entry.approver ? ` by ${entry.approver}` : ""}`,
        ...(entry.reason ? [`reason: ${shown(entry.reason)}`] : []),
        ...(entry.outcome === "requested" ? [] : entry.reasons.map((reason) => `- ${shown(reason)}`)),
      ];
    case "tool":
      return [
        `tool ${entry.tool ?? "?"} ${entry.outcome}${entry.attempts && entry.attempts > 1 ? ` after ${entry.attempts} attempts` : ""}`,
        ...(entry.error ? [`error: ${shown(entry.error)}`] : []),
        ...(entry.result !== undefined ? [`result: ${shown(entry.result)}`] : []),
      ];
    default:
      return [
        `${entry.type} ${entry.outcome}${entry.tool ? ` ${entry.tool}` : ""}`,
        ...entry.reasons.map((reason) => `- ${shown(reason)}`),
        ...Object.entries(entry.details).map(([key, value]) => `${key}: ${shown(value)}`),
      ];
  }
}

/** A value as masked display text, cut to what a page shows. */
export function shown(value: PlainJson | undefined): string {
  const masked = maskForDisplay(value);
  const text = typeof masked === "string" ? masked : (JSON.stringify(masked) ?? "");
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}
