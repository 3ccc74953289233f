import type { RunOutcome } from "@governor/core";
import { formatEvent, formatOutcome } from "../format-events.js";
import { loadSource } from "../load-target.js";
import { modelFor } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";

/**
 * `governor recover THREAD`: continues a run whose process died part-way, from its last
 * checkpoint. Effects already committed are read back from the journal, never repeated.
 *
 * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_RESUMABLE (it waits for a human, or is done).
 */
export async function recoverCommand(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string },
): Promise<RunOutcome> {
  const runtime = openRuntime(options.dir);
  try {
    const run = runtime.getRun(threadId);
    const target = await loadSource(run.source);
    const model = await modelFor(target);
    terminal.out(paint(terminal, "bold", `Governor · ${run.workflow} · recover ${threadId}`));
    const outcome = await runtime.recover(target.workflow, threadId, {
      model: model?.model,
      onEvent: (event) => terminal.out(formatEvent(terminal, event)),
    });
    for (const line of formatOutcome(terminal, outcome)) terminal.out(line);
    return outcome;
  } finally {
    runtime.close();
  }
}
