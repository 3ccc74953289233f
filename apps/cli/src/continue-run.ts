import type { GovernorEvent, GovernorRuntime, RunOutcome, RunRecord } from "@governor/core";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { formatEvent } from "./format-events.js";
import { GovernedCallLog, outcomeLines } from "./governed-outcome.js";
import { loadSource, type Target } from "./load-target.js";
import { targetModels } from "./model-for.js";
import { openExistingRuntime } from "./open-runtime.js";
import { paint, type Terminal } from "./terminal.js";
import { readWorkflowConfig } from "./workflow-config.js";

/** What a command acting on a stored run gets: the run, its workflow and models, and a printer for events. */
export interface StoredRun {
  readonly runtime: GovernorRuntime;
  readonly run: RunRecord;
  readonly target: Target;
  readonly model?: BaseChatModel;
  /** Named models for steps that route between them. */
  readonly models?: Readonly<Record<string, BaseChatModel>>;
  readonly onEvent: (event: GovernorEvent) => void;
}

/**
 * Opens the store, finds a run and the workflow it belongs to (from any process), lets `act`
 * move it on, and prints each step and where it ended. The shared shape of `governor
 * recover` and `governor budget`.
 */
export async function continueRun(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string; config?: string; title: (run: RunRecord) => string },
  act: (stored: StoredRun) => Promise<RunOutcome>,
): Promise<RunOutcome> {
  const config = readWorkflowConfig(options.config);
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await runtime.getRun(threadId);
    // The stored source is only a key into the samples and the operator's config.
    const target = await loadSource(run.source, config);
    const { model, models } = await targetModels(target);
    terminal.out(paint(terminal, "bold", options.title(run)));
    const calls = new GovernedCallLog();
    const outcome = await act({
      runtime,
      run,
      target,
      model,
      models,
      onEvent: (event) => {
        calls.record(event);
        terminal.out(formatEvent(terminal, event));
      },
    });
    // Only the continuation is seen here: the summary says what happened after it resumed.
    for (const line of outcomeLines(terminal, target.workflow, calls, outcome, true)) terminal.out(line);
    return outcome;
  } finally {
    await runtime.close();
  }
}
