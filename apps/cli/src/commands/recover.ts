import type { RunOutcome } from "@governor/core";
import { continueRun } from "../continue-run.js";
import type { Terminal } from "../terminal.js";

/**
 * `governor recover THREAD`: continues a run whose process died part-way, from its last
 * checkpoint. Effects already committed are read back from the journal, never repeated.
 *
 * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_RESUMABLE (it waits for a human, or is done).
 */
export function recoverCommand(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string; config?: string },
): Promise<RunOutcome> {
  return continueRun(
    terminal,
    threadId,
    {
      dir: options.dir,
      config: options.config,
      title: (run) => `Governor · ${run.workflow} · recover ${threadId}`,
    },
    ({ runtime, target, model, models, onEvent }) =>
      runtime.recover(target.workflow, threadId, { model, models, onEvent }),
  );
}
