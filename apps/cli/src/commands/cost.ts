import { GovernorError, modelRecordsOf, runSummaryOf } from "@governor/core";
import {
  COST_GROUPINGS,
  type CostFigures,
  type CostGrouping,
  costReport,
  parseSince,
} from "@governor/observability";
import { openExistingRuntime } from "../open-runtime.js";
import { countIn, fit, REPORT_WIDTH, usd, wrap } from "../report-format.js";
import type { Terminal } from "../terminal.js";

/**
 * `governor cost`: model cost per workflow, principal or model over the runs started since
 * a date, with cost per run and per resolved run (see `costReport` for the definitions).
 *
 * @throws {GovernorError} CONFIG_INVALID for a --by that is not a grouping or a malformed
 *   --since; STORE_NOT_FOUND when there is no store.
 */
export async function costCommand(
  terminal: Terminal,
  options: { dir?: string; json?: boolean; since?: string; by?: string },
): Promise<void> {
  const by = groupingOf(options.by ?? "workflow");
  const since = options.since !== undefined ? parseSince(options.since) : undefined;
  const runtime = await openExistingRuntime(options.dir);
  try {
    const inputs = [];
    for (const run of await runtime.store.runs.find(since ? { since } : {})) {
      inputs.push({ run: runSummaryOf(run), records: await modelRecordsOf(runtime, run.threadId) });
    }
    const report = costReport(inputs, { by, ...(since ? { since } : {}) });
    if (options.json) {
      terminal.out(JSON.stringify(report, null, 2));
      return;
    }
    terminal.out(`model cost by ${by}${since ? `, runs started since ${report.since}` : ", all runs"}`);
    terminal.out(row([by, "runs", "resolved", "calls", "tokens", "cost", "per run", "per resolved"]));
    for (const group of report.groups) terminal.out(row([group.key, ...figures(group)]));
    terminal.out(row(["total", ...figures(report.totals)]));
    terminal.out();
    const note =
      "resolved: runs that completed. per resolved: the cost of all the runs, resolved or not, divided by the resolved ones." +
      (by === "model" ? " A run counts under every model it called." : "");
    for (const line of wrap(note, REPORT_WIDTH)) terminal.out(line);
  } finally {
    await runtime.close();
  }
}

// key 15, runs 5, resolved 8, calls 5, tokens 8, cost 10, per run 10, per resolved 12, and the
// seven spaces between: 80 columns.
const WIDTHS = [15, 5, 8, 5, 8, 10, 10, 12];

function row(cells: readonly string[]): string {
  return cells
    .map((cell, i) => {
      const width = WIDTHS[i] ?? 0;
      return i === 0 ? fit(cell, width).padEnd(width) : fit(cell, width).padStart(width);
    })
    .join(" ")
    .trimEnd();
}

function figures(f: CostFigures): string[] {
  const perRun = (value: number | null) => (value === null ? "–" : usd(value));
  return [
    countIn(f.runs, WIDTHS[1] ?? 0),
    countIn(f.resolvedRuns, WIDTHS[2] ?? 0),
    countIn(f.modelCalls, WIDTHS[3] ?? 0),
    countIn(f.inputTokens + f.outputTokens, WIDTHS[4] ?? 0),
    usd(f.costUsd),
    perRun(f.costPerRun),
    perRun(f.costPerResolvedRun),
  ];
}

function groupingOf(value: string): CostGrouping {
  if ((COST_GROUPINGS as readonly string[]).includes(value)) return value as CostGrouping;
  throw new GovernorError(
    "CONFIG_INVALID",
    `--by "${value}" is not a grouping: use one of ${COST_GROUPINGS.join(", ")}`,
    { by: value },
  );
}
