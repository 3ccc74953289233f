import type { PlainJson, RunTimeline, TimelineEntry } from "@governor/observability";
import { count, duration, fit, REPORT_WIDTH, usd, wrap } from "./report-format.js";

const NODE_WIDTH = 16;
/** "HH:MM:SS  node              ": where an entry's text starts. */
const INDENT = 8 + 2 + NODE_WIDTH + 2;
const TEXT_WIDTH = REPORT_WIDTH - INDENT;
/** How much of what a model said the timeline shows (the JSON has all that was audited). */
const MODEL_TEXT_LINES = 2;

/**
 * A run's timeline as lines of at most 80 characters: a header, one block per entry (time,
 * node, what happened, then its reasons, policies and figures wrapped under it), and the
 * outcome, totals and budget state.
 */
export function formatTimeline(timeline: RunTimeline): string[] {
  const { run } = timeline;
  const lines = [
    fit(`run ${run.threadId}`, REPORT_WIDTH),
    ...wrap(`${run.workflow} · ${run.principal} · ${run.status}`, REPORT_WIDTH - 2).map((l) => `  ${l}`),
    ...wrap(
      `started ${run.createdAt.slice(0, 19).replace("T", " ")} UTC · last change ${run.updatedAt.slice(11, 19)} (${duration(Date.parse(run.updatedAt) - Date.parse(run.createdAt))} later)`,
      REPORT_WIDTH - 2,
    ).map((l) => `  ${l}`),
    "",
  ];
  for (const entry of timeline.entries) {
    const [first = "", ...rest] = describe(entry).flatMap((text) => wrap(text, TEXT_WIDTH));
    const node = fit(entry.node ?? "", NODE_WIDTH).padEnd(NODE_WIDTH);
    lines.push(`${entry.at.slice(11, 19)}  ${node}  ${first}`.trimEnd());
    for (const line of rest) lines.push(`${" ".repeat(INDENT)}${line}`);
  }
  lines.push("", ...footer(timeline));
  return lines;
}

/** What one entry says, as paragraphs to wrap: the event first, then its details. */
function describe(entry: TimelineEntry): string[] {
  switch (entry.type) {
    case "run": {
      if (entry.outcome === "waiting" && entry.waitingFor?.length) {
        return [
          `run waiting for ${entry.waitingFor.map((w) => `${w.type}${w.tool ? ` of ${w.tool}` : ""}`).join(", ")}`,
        ];
      }
      return [`run ${entry.outcome}${entry.error ? `: ${entry.error}` : ""}`];
    }
    case "model": {
      const asked = entry.toolCalls.length ? ` → ${entry.toolCalls.join(", ")}` : "";
      const figures = [
        `${count(entry.inputTokens)} in + ${count(entry.outputTokens)} out tokens`,
        usd(entry.costUsd),
        ...(entry.latencyMs !== undefined ? [duration(entry.latencyMs)] : []),
        ...(entry.turn !== undefined ? [`turn ${entry.turn}`] : []),
      ].join(" · ");
      const said = entry.text?.trim() ? [quoteModelText(entry.text)] : [];
      return [
        `model ${entry.model} ${entry.outcome}${asked}${entry.purpose ? ` (${entry.purpose})` : ""}`,
        figures,
        ...said,
      ];
    }
    case "decision":
      return [
        `${entry.control} ${entry.outcome.toUpperCase()}${entry.tool ? ` ${entry.tool}` : ""}`,
        ...entry.reasons.map((reason) => `- ${reason}`),
        ...(entry.policyIds.length ? [`policies: ${entry.policyIds.join(", ")}`] : []),
      ];
    case "approval":
      return [
        `approval ${entry.outcome}${entry.tool ? ` ${entry.tool}` : ""}${entry.approver ? ` by ${entry.approver}` : ""}`,
        ...(entry.reason ? [`reason: "${entry.reason}"`] : []),
        // A request's reasons are the policy decision's, printed just above it.
        ...(entry.outcome === "requested" ? [] : entry.reasons.map((reason) => `- ${reason}`)),
      ];
    case "tool":
      return [
        `tool ${entry.tool ?? "?"} ${entry.outcome}${entry.attempts && entry.attempts > 1 ? ` after ${entry.attempts} attempts` : ""}`,
        ...(entry.error ? [`error: ${entry.error}`] : []),
        ...(entry.result !== undefined
          ? [fit(`result ${JSON.stringify(entry.result)}`, TEXT_WIDTH * 2)]
          : []),
      ];
    default:
      return [
        `${entry.type} ${entry.outcome}${entry.tool ? ` ${entry.tool}` : ""}`,
        ...entry.reasons.map((reason) => `- ${reason}`),
        ...detailsOf(entry.details),
      ];
  }
}

/** A model's words, quoted, cut to the lines the timeline gives them. */
function quoteModelText(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return fit(`"${flat}"`, TEXT_WIDTH * MODEL_TEXT_LINES);
}

/** A control record's data as `key: value` lines, each value cut to a line. */
function detailsOf(details: Readonly<Record<string, PlainJson>>): string[] {
  return Object.entries(details).map(([key, value]) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return fit(`${key}: ${text}`, TEXT_WIDTH);
  });
}

/** A limit as a person reads it: "max cost $0.5", "max wall time 2m 00s". */
function limitText(key: string, value: number): string {
  switch (key) {
    case "maxCostUsd":
      return `max cost $${value}`;
    case "dailyCostUsdPerPrincipal":
      return `daily cost $${value} per principal`;
    case "maxWallTimeMs":
      return `max active time ${duration(value)}`;
    case "maxTokens":
      return `max tokens ${count(value)}`;
    case "maxSteps":
      return `max steps ${count(value)}`;
    default:
      return `${key} ${value}`;
  }
}

function footer(timeline: RunTimeline): string[] {
  const { outcome, totals, budget } = timeline;
  const label = (name: string, text: string) =>
    wrap(text, REPORT_WIDTH - 10).map((line, i) => `${(i ? "" : name).padEnd(10)}${line}`);
  const waiting = outcome.waitingFor?.length
    ? ` for ${outcome.waitingFor.map((w) => `${w.type}${w.requestId ? ` ${w.requestId}` : ""}`).join(", ")}`
    : "";
  const steps = budget ? ` · ${count(budget.steps)} steps` : "";
  const limits = budget?.limits
    ? Object.entries(budget.limits)
        .map(([key, value]) => limitText(key, value))
        .join(", ")
    : "none of its own (the workflow's defaults apply)";
  return [
    ...label("outcome", `${outcome.status}${waiting}${outcome.error ? `: ${outcome.error}` : ""}`),
    ...label(
      "totals",
      `${count(totals.calls)} model calls · ${count(totals.tokens)} tokens (${count(totals.inputTokens)} in, ${count(totals.outputTokens)} out) · ${usd(totals.costUsd)}${steps}`,
    ),
    ...label(
      "budget",
      budget
        ? `${count(budget.steps)} steps, ${duration(budget.activeMs)} active (waits excluded); limits: ${limits}`
        : "no checkpoint to read the steps and limits from",
    ),
  ];
}
