import { budgetStateOf, findRun, GovernorError, modelRecordsOf, runSummaryOf } from "@governor/core";
import { buildRunTimeline, parseSince, runTotals } from "@governor/observability";
import { openExistingRuntime } from "../open-runtime.js";
import { REPORT_WIDTH, wrap } from "../report-format.js";
import { formatRunTable, pageFooter, type RunListing, SHORT_ID } from "../runs-format.js";
import type { Terminal } from "../terminal.js";
import { formatTimeline } from "../timeline-format.js";

const STATUSES = ["queued", "running", "waiting", "completed", "failed"] as const;
type Status = (typeof STATUSES)[number];

export interface RunsListOptions {
  readonly dir?: string;
  readonly json?: boolean;
  readonly status?: string;
  readonly workflow?: string;
  readonly since?: string;
  readonly limit?: string;
  readonly page?: string;
}

/**
 * `governor runs`: the store's runs, newest first, a page at a time, with what each cost.
 *
 * @throws {GovernorError} CONFIG_INVALID for an unknown --status, a malformed --since, or a
 *   --limit / --page that is not a positive integer; STORE_NOT_FOUND when there is no store.
 */
export async function runsListCommand(terminal: Terminal, options: RunsListOptions): Promise<void> {
  const status = statusOf(options.status);
  const since = options.since !== undefined ? parseSince(options.since) : undefined;
  const limit = positiveInt(options.limit ?? "20", "--limit");
  const page = positiveInt(options.page ?? "1", "--page");
  const runtime = await openExistingRuntime(options.dir);
  try {
    const filter = {
      ...(status ? { status } : {}),
      ...(options.workflow !== undefined ? { workflow: options.workflow } : {}),
      ...(since ? { since } : {}),
    };
    const total = await runtime.store.runs.count(filter);
    const pages = Math.ceil(total / limit);
    const runs: RunListing[] = [];
    for (const run of await runtime.store.runs.find(filter, { limit, offset: (page - 1) * limit })) {
      const totals = runTotals(await modelRecordsOf(runtime, run.threadId));
      runs.push({
        ...runSummaryOf(run),
        durationMs: Math.max(0, Date.parse(run.updatedAt) - Date.parse(run.createdAt)),
        costUsd: totals.costUsd,
        tokens: totals.tokens,
        modelCalls: totals.calls,
      });
    }
    if (options.json) {
      terminal.out(JSON.stringify({ runs, total, page, pages, limit }, null, 2));
      return;
    }
    if (!runs.length) {
      terminal.out(total ? `no runs on page ${page}: there are ${pages} page(s)` : "no runs match");
      return;
    }
    for (const line of formatRunTable(runs)) terminal.out(line);
    terminal.out();
    const next = nextPageCommand(options, page + 1);
    for (const line of pageFooter(page, pages, total, next)) {
      for (const wrapped of wrap(line, REPORT_WIDTH)) terminal.out(wrapped);
    }
    terminal.out(`thread ids are cut to ${SHORT_ID} characters: governor runs show <id> takes them`);
  } finally {
    await runtime.close();
  }
}

/**
 * `governor runs show THREAD`: the run's timeline, or its JSON. THREAD may be the start of
 * an id, as listings print it.
 *
 * @throws {GovernorError} RUN_NOT_FOUND naming the thread; STORE_NOT_FOUND when there is no store.
 */
export async function runsShowCommand(
  terminal: Terminal,
  thread: string,
  options: { dir?: string; json?: boolean },
): Promise<void> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await findRun(runtime, thread);
    const timeline = buildRunTimeline(
      runSummaryOf(run),
      await runtime.store.audit.list(run.threadId),
      await budgetStateOf(runtime, run.threadId),
    );
    if (options.json) {
      terminal.out(JSON.stringify(timeline, null, 2));
      return;
    }
    for (const line of formatTimeline(timeline)) terminal.out(line);
  } finally {
    await runtime.close();
  }
}

function statusOf(value: string | undefined): Status | undefined {
  if (value === undefined) return undefined;
  if ((STATUSES as readonly string[]).includes(value)) return value as Status;
  throw new GovernorError(
    "CONFIG_INVALID",
    `--status "${value}" is not a run status: use one of ${STATUSES.join(", ")}`,
    { status: value },
  );
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new GovernorError("CONFIG_INVALID", `${flag} "${value}" must be a whole number of at least 1`, {
      [flag]: value,
    });
  }
  return n;
}

/** The same listing one page on, with the filters the user gave (quoted where the shell needs it). */
function nextPageCommand(options: RunsListOptions, page: number): string {
  const args = ["governor", "runs"];
  for (const flag of ["status", "workflow", "since", "limit", "dir"] as const) {
    const value = options[flag];
    if (value !== undefined)
      args.push(`--${flag}`, /^[\w:./@-]+$/.test(value) ? value : JSON.stringify(value));
  }
  args.push("--page", String(page));
  return args.join(" ");
}
