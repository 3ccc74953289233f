import { GovernorError, type RunRecord } from "@governor/core";
import type { ConsoleOptions, ConsoleWorkflow } from "./console-options.js";

/** What a decision needs from the console's options. */
export type DecideDeps = Pick<ConsoleOptions, "runtime" | "workflowFor" | "queue">;

/**
 * The run and the workflow to decide it with. A run is only ever decided by the workflow
 * that started it, found from its recorded source; one the console cannot resolve is shown
 * in the inbox but never decided (a guess could sign for another graph's request).
 *
 * @throws {GovernorError} RUN_NOT_FOUND; SOURCE_UNREGISTERED when the console does not know
 *   the run's workflow.
 */
export async function decidableRun(
  deps: DecideDeps,
  threadId: string,
): Promise<{ readonly run: RunRecord; readonly target: ConsoleWorkflow }> {
  const run = await deps.runtime.getRun(threadId);
  const target = await deps.workflowFor(run);
  if (!target) throw unresolved(run);
  if (target.workflow.name !== run.workflow) {
    throw new GovernorError(
      "SOURCE_UNREGISTERED",
      `Run ${threadId} belongs to workflow "${run.workflow}", but the console resolved its source ${run.source || "(none)"} to "${target.workflow.name}"; it cannot be decided here`,
      { threadId, workflow: run.workflow, source: run.source },
    );
  }
  return { run, target };
}

/** Why the console cannot decide a run: it does not know the workflow the run was started with. */
export function unresolved(run: RunRecord): GovernorError {
  return new GovernorError(
    "SOURCE_UNREGISTERED",
    `The console does not know workflow "${run.workflow}" (source ${run.source || "not recorded"}), so it cannot decide run ${run.threadId}; start the console with that workflow, or decide it with governor approve`,
    { threadId: run.threadId, workflow: run.workflow, source: run.source },
  );
}

/** Whether an answer is stored for the run and not yet taken by a worker (a store may say null for none). */
export async function answerWaiting(deps: DecideDeps, threadId: string): Promise<boolean> {
  const answer = await deps.runtime.store.runs.answer(threadId);
  return answer !== undefined && answer !== null;
}
