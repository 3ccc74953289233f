import { GovernorError } from "@governor/errors";
import type { AuditRecord } from "../audit-record.js";
import type { RunSummary } from "./run-summary.js";
import { modelUseOf } from "./run-totals.js";

/** What `costReport` groups by. */
export type CostGrouping = "workflow" | "principal" | "model";

export const COST_GROUPINGS: readonly CostGrouping[] = ["workflow", "principal", "model"];

/** One run and its audit records (only its "model" records are read: pass `find({ kind: "model" })`'s answer). */
export interface CostInput {
  readonly run: RunSummary;
  readonly records: readonly AuditRecord[];
}

/** Cost and counts over a set of runs. */
export interface CostFigures {
  readonly runs: number;
  /** Runs whose status is "completed": see `costReport` for the definition. */
  readonly resolvedRuns: number;
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** costUsd / runs; null when there are no runs. */
  readonly costPerRun: number | null;
  /** costUsd / resolvedRuns; null when no run resolved. */
  readonly costPerResolvedRun: number | null;
}

export interface CostGroup extends CostFigures {
  /** The workflow, principal id or model name. */
  readonly key: string;
}

export interface CostReport {
  readonly by: CostGrouping;
  /** ISO time: only runs started at or after it count. */
  readonly since?: string;
  readonly totals: CostFigures;
  /** Most expensive first, then by key. */
  readonly groups: readonly CostGroup[];
}

interface Tally {
  runs: Set<string>;
  resolved: Set<string>;
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * Unit economics over recorded runs: cost, tokens and calls per workflow, principal or
 * model, from the "model" audit records (each priced by the price table when the call was
 * made), with cost per run and cost per resolved run.
 *
 * A **resolved run** is one whose status is `completed`: it reached its workflow's end.
 * That includes a run that ended by refusing the request (a denied refund still resolves
 * the ticket); runs still waiting, running or failed are not resolved. **Cost per resolved
 * run** is the cost of every run in the group, resolved or not, divided by the resolved
 * ones: what each resolution costs once the runs that did not get there are paid for.
 *
 * Grouped by model, a run counts in the group of every model it called (so group run
 * counts can add up to more than the total) and a group's cost is that model's calls only.
 * A run that made no model call counts in the totals but in no model group.
 *
 * @throws {GovernorError} CONFIG_INVALID when `by` is not a grouping or `since` is not a date.
 */
export function costReport(
  inputs: readonly CostInput[],
  options: { readonly by?: CostGrouping; readonly since?: Date } = {},
): CostReport {
  const by = options.by ?? "workflow";
  if (!COST_GROUPINGS.includes(by)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Cannot group cost by "${String(by)}": use one of ${COST_GROUPINGS.join(", ")}`,
      { by },
    );
  }
  const since = options.since;
  if (since !== undefined && Number.isNaN(since.getTime())) {
    throw new GovernorError("CONFIG_INVALID", "The cost report's since is not a valid date", {});
  }
  const total = emptyTally();
  const groups = new Map<string, Tally>();
  for (const { run, records } of inputs) {
    if (since !== undefined && Date.parse(run.createdAt) < since.getTime()) continue;
    const resolved = run.status === "completed";
    countRun(total, run.threadId, resolved);
    if (by !== "model")
      countRun(tallyOf(groups, by === "workflow" ? run.workflow : run.principal), run.threadId, resolved);
    for (const record of records) {
      if (record.kind !== "model" || record.threadId !== run.threadId) continue;
      const use = modelUseOf(record);
      addCall(total, use);
      const group = tallyOf(
        groups,
        by === "model" ? use.model : by === "workflow" ? run.workflow : run.principal,
      );
      if (by === "model") countRun(group, run.threadId, resolved);
      addCall(group, use);
    }
  }
  return {
    by,
    ...(since !== undefined ? { since: since.toISOString() } : {}),
    totals: figures(total),
    groups: [...groups]
      .map(([key, tally]) => ({ key, ...figures(tally) }))
      .sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key)),
  };
}

function emptyTally(): Tally {
  return { runs: new Set(), resolved: new Set(), modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function tallyOf(groups: Map<string, Tally>, key: string): Tally {
  let tally = groups.get(key);
  if (!tally) {
    tally = emptyTally();
    groups.set(key, tally);
  }
  return tally;
}

function countRun(tally: Tally, threadId: string, resolved: boolean): void {
  tally.runs.add(threadId);
  if (resolved) tally.resolved.add(threadId);
}

function addCall(tally: Tally, use: ReturnType<typeof modelUseOf>): void {
  tally.modelCalls++;
  tally.inputTokens += use.inputTokens;
  tally.outputTokens += use.outputTokens;
  tally.costUsd += use.costUsd;
}

function figures(tally: Tally): CostFigures {
  const runs = tally.runs.size;
  const resolvedRuns = tally.resolved.size;
  return {
    runs,
    resolvedRuns,
    modelCalls: tally.modelCalls,
    inputTokens: tally.inputTokens,
    outputTokens: tally.outputTokens,
    costUsd: tally.costUsd,
    costPerRun: runs ? tally.costUsd / runs : null,
    costPerResolvedRun: resolvedRuns ? tally.costUsd / resolvedRuns : null,
  };
}
