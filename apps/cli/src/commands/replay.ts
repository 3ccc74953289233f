import {
  type DecisionComparison,
  GovernorError,
  type ReplayedDecision,
  type ReplayReport,
  replayRun,
  type WhatIfReport,
  whatIf,
} from "@governor/core";
import { parseSince } from "@governor/observability";
import { loadSource } from "../load-target.js";
import { openExistingRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

export interface ReplayCommandOptions {
  readonly dir?: string;
  readonly config?: string;
  readonly policies?: string;
  readonly since?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

/**
 * `governor replay THREAD` re-executes a finished run from its records (no model, no tool
 * handler) and prints each decision as the same or different; `governor replay --policies
 * DIR [--since DATE | THREAD…]` re-decides recorded policy decisions under another policy set.
 * Returns whether the replay found a difference (a what-if never does: its differences are
 * its answer, not a failure).
 *
 * @throws {GovernorError} CONFIG_INVALID for a usage the command cannot answer (no thread,
 *   several without --policies, --since without --policies); STORE_NOT_FOUND, RUN_NOT_FOUND,
 *   REPLAY_UNAVAILABLE, WORKFLOW_VERSION_MISMATCH, POLICY_LOAD_FAILED as replayRun and whatIf say.
 */
export async function replayCommand(
  terminal: Terminal,
  threads: readonly string[],
  options: ReplayCommandOptions,
): Promise<{ differs: boolean }> {
  if (options.policies !== undefined) {
    await whatIfCommand(terminal, threads, { ...options, policies: options.policies });
    return { differs: false };
  }
  if (options.since !== undefined) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "--since selects runs for a what-if: give it with --policies <dir>",
    );
  }
  const [threadId, ...more] = threads;
  if (!threadId || more.length) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "governor replay takes one thread id (several only with --policies <dir>, for a what-if)",
    );
  }
  const config = readWorkflowConfig(options.config);
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await runtime.getRun(threadId);
    // The stored source is only a key into the samples and the operator's config.
    const target = await loadSource(run.source, config);
    const report = await replayRun(runtime, target.workflow, threadId, { force: options.force });
    if (options.json) terminal.out(JSON.stringify(report, null, 2));
    else printReplay(terminal, report);
    return { differs: report.verdict !== "same" };
  } finally {
    await runtime.close();
  }
}

async function whatIfCommand(
  terminal: Terminal,
  threads: readonly string[],
  options: ReplayCommandOptions & { policies: string },
): Promise<void> {
  if (options.since !== undefined && threads.length) {
    throw new GovernorError("CONFIG_INVALID", "Give either --since or thread ids for a what-if, not both");
  }
  const since = options.since !== undefined ? parseSince(options.since) : undefined;
  const runtime = await openExistingRuntime(options.dir);
  try {
    const report = await whatIf(runtime.store, {
      policies: options.policies,
      ...(threads.length ? { threads } : {}),
      ...(since ? { since } : {}),
    });
    if (options.json) terminal.out(JSON.stringify(report, null, 2));
    else printWhatIf(terminal, report, options.policies);
  } finally {
    await runtime.close();
  }
}

const MARK: Record<DecisionComparison["verdict"], string> = {
  same: "=",
  different: "≠",
  "missing-in-replay": "-",
  "only-in-replay": "+",
};

function printReplay(terminal: Terminal, report: ReplayReport): void {
  terminal.out(paint(terminal, "bold", `replay of ${report.threadId} (${report.workflow})`));
  if (report.versionMismatch) terminal.out(paint(terminal, "yellow", `  forced: ${report.versionMismatch}`));
  for (const item of report.decisions) {
    const decision = (item.original ?? item.replay) as ReplayedDecision;
    const outcome =
      item.verdict === "different" || item.verdict === "same"
        ? item.original?.outcome === item.replay?.outcome
          ? decision.outcome
          : `${item.original?.outcome} → ${item.replay?.outcome}`
        : decision.outcome;
    const where = `${(decision.node ?? "").padEnd(18)} ${(decision.tool ?? "").padEnd(16)}`;
    const line = `${MARK[item.verdict]} ${decision.kind.padEnd(12)} ${where} ${outcome}`;
    terminal.out(item.verdict === "same" ? line : paint(terminal, "red", line));
    if (item.verdict !== "same") terminal.out(`    ${item.differences.join("; ")}`);
  }
  for (const call of report.unexecuted) {
    terminal.out(
      paint(
        terminal,
        "red",
        `  not executed: ${call.tool} ${JSON.stringify(call.args)} (the original never ran it)`,
      ),
    );
  }
  if (report.error)
    terminal.out(paint(terminal, "red", `  replay failed: [${report.error.code}] ${report.error.message}`));
  if (report.stoppedEarly) terminal.out(paint(terminal, "yellow", `  stopped early: ${report.stoppedEarly}`));
  const counts = countBy(report.decisions.map((item) => item.verdict));
  terminal.out(
    `${report.decisions.length} decisions: ${Object.entries(counts)
      .map(([verdict, count]) => `${count} ${verdict}`)
      .join(
        ", ",
      )}; ${report.modelAnswers} recorded model answers replayed, ${report.approvalsApplied} approvals re-applied; status ${report.originalStatus} → ${report.replayStatus}`,
  );
  terminal.out(
    report.verdict === "same"
      ? paint(terminal, "green", "✓ same: every decision came out as recorded")
      : paint(terminal, "red", "✗ different: see the decisions marked ≠, - (missing) and + (new)"),
  );
}

function printWhatIf(terminal: Terminal, report: WhatIfReport, policies: string): void {
  terminal.out(paint(terminal, "bold", `what-if under ${policies} (${report.policyVersion})`));
  terminal.out(
    `${report.runs} runs, ${report.decisions} policy decisions: ${report.redecided} re-decided, ${report.unchanged} unchanged, ${report.changes.length} would differ, ${report.notRedecidable.length} not re-decidable`,
  );
  for (const [transition, count] of Object.entries(report.transitions)) {
    terminal.out(`  ${transition}: ${count}`);
  }
  for (const change of report.changes) {
    terminal.out(
      paint(
        terminal,
        "yellow",
        `${change.threadId} ${change.node ?? ""} ${change.tool ?? ""}: ${change.from} → ${change.to}`,
      ),
    );
    terminal.out(`    was [${change.fromPolicyIds.join(", ")}], now [${change.toPolicyIds.join(", ")}]`);
  }
  const reasons = countBy(report.notRedecidable.map((item) => item.reason));
  for (const [reason, count] of Object.entries(reasons))
    terminal.out(`  not re-decidable (${count}): ${reason}`);
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
