import type { RunBudget } from "../budget/run-budget.js";
import type { GovernorStores } from "../store/governor-stores.js";
import type { Workflow } from "../workflow/define-workflow.js";

/** What a run was started with, as its first checkpoint holds it. */
export interface RecordedInput {
  readonly input: Record<string, unknown>;
  /** The budget the run was admitted with (the workflow's, with the start's overrides). */
  readonly budget?: RunBudget;
}

/**
 * The run's input and budget from its first checkpoint (LangGraph's "input" checkpoint, whose
 * pending writes are the start's channel values), not from the "run started" audit record:
 * the journal masks personal data (an e-mail address in the input becomes a digest), the
 * checkpoint keeps the values the run really had.
 *
 * @returns undefined when the thread has no input checkpoint.
 */
export async function recordedInput(
  store: GovernorStores,
  workflow: Workflow,
  threadId: string,
): Promise<RecordedInput | undefined> {
  let first: { metadata?: { source?: string }; pendingWrites?: [string, string, unknown][] } | undefined;
  // Newest first: the input checkpoint is the last one listed.
  for await (const tuple of store.checkpointer.list({
    configurable: { thread_id: threadId, checkpoint_ns: "" },
  }))
    first = tuple;
  if (first?.metadata?.source !== "input" || !first.pendingWrites) return undefined;
  const fields = new Set(Object.keys(workflow.state.shape));
  const input: Record<string, unknown> = {};
  let budget: RunBudget | undefined;
  for (const [, channel, value] of first.pendingWrites) {
    if (fields.has(channel)) input[channel] = value;
    else if (channel === "governor") budget = (value as { budget?: RunBudget } | null)?.budget;
  }
  return { input, ...(budget ? { budget } : {}) };
}
