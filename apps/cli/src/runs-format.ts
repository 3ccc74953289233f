import { count, duration, fit, shortTime, usd } from "./report-format.js";

/** One row of `governor runs`: the registry's row with its model cost. */
export interface RunListing {
  readonly threadId: string;
  readonly workflow: string;
  readonly status: string;
  readonly principal: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** From start to the last status change, waits for a human included. */
  readonly durationMs: number;
  readonly costUsd: number;
  readonly tokens: number;
  readonly modelCalls: number;
  readonly error?: string;
}

/** How long a thread id is shown: a UUID's first block, unique in practice and accepted by `runs show`. */
export const SHORT_ID = 8;

// status 9, workflow 15, principal 14, cost 9 ($0.000305, $99.9999), started 11, duration 7
// (816ms, 3m 04s), thread 9, and the six spaces between: 80 columns.
const COLUMNS = [
  ["status", 9],
  ["workflow", 15],
  ["principal", 14],
  ["cost", 9],
  ["started UTC", 11],
  ["took", 7],
  ["thread", SHORT_ID + 1],
] as const;

/** The listing as a table of at most 80 columns, ids abbreviated (ellipsis) where they do not fit. */
export function formatRunTable(runs: readonly RunListing[]): string[] {
  const row = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = COLUMNS[i]?.[1] ?? 0;
        const text = fit(cell, width);
        return i === 3 ? text.padStart(width) : text.padEnd(width);
      })
      .join(" ")
      .trimEnd();
  return [
    row(COLUMNS.map(([name]) => name)),
    ...runs.map((run) =>
      row([
        run.status,
        run.workflow,
        run.principal,
        usd(run.costUsd),
        shortTime(run.createdAt),
        duration(run.durationMs),
        run.threadId.length > SHORT_ID ? `${run.threadId.slice(0, SHORT_ID)}…` : run.threadId,
      ]),
    ),
  ];
}

/** "page 1 of 3 · 45 runs" and, when there is more, the command that prints the next page. */
export function pageFooter(page: number, pages: number, total: number, nextCommand: string): string[] {
  const where = `page ${page} of ${Math.max(pages, 1)} · ${count(total)} run${total === 1 ? "" : "s"}`;
  return page < pages ? [where, `next page: ${nextCommand}`] : [where];
}
