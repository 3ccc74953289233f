import type { RunBudget, SampleCase } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { issueDelegationToken } from "@governor/identity";
import type { Target } from "../load-target.js";
import { targetModels } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { openRunQueue } from "../run-queue-client.js";
import { paint, type Terminal } from "../terminal.js";

/**
 * `governor run TARGET --queue`: admits each case (input, identity, kill switch and daily
 * budget are checked now, as for a run started here) and leaves it to a worker. Prints one
 * line per run: its thread id and "queued".
 *
 * @returns the thread ids admitted.
 * @throws {GovernorError} QUEUE_CONFIG_INVALID / QUEUE_UNREACHABLE before any run is admitted;
 *   whatever admission refuses (INPUT_INVALID, KILLED, BUDGET_EXCEEDED…).
 */
export async function queueRuns(
  terminal: Terminal,
  loaded: Target,
  cases: readonly SampleCase[],
  options: { thread?: string; dir?: string; budget?: RunBudget },
): Promise<string[]> {
  const queue = await openRunQueue();
  try {
    // Admission compiles the workflow (a broken one is refused before any run is recorded),
    // which needs the models its steps name; nothing calls them here.
    const models = await targetModels(loaded);
    const runtime = await openRuntime(options.dir);
    try {
      terminal.out(
        paint(terminal, "bold", `Governor · ${loaded.workflow.name} · queued for workers on ${queue.name}`),
      );
      const admitted: string[] = [];
      for (const sampleCase of cases) {
        // A sample case acting for a user gets a delegation token, as `governor run` issues one.
        const delegation = sampleCase.delegation && {
          token: await issueDelegationToken(runtime.store.tokenKeys, {
            agentId: loaded.workflow.agent.id,
            userId: sampleCase.delegation.userId,
            scopes: [...sampleCase.delegation.scopes],
          }),
        };
        const { threadId } = await runtime.admit(loaded.workflow, sampleCase.input, {
          principal: sampleCase.principal,
          delegation,
          threadId: cases.length === 1 ? options.thread : undefined,
          budget: options.budget,
          source: loaded.source,
          ...models,
        });
        await enqueueAdmitted(queue, threadId);
        admitted.push(threadId);
        terminal.out(`${threadId} queued${cases.length > 1 ? ` (${sampleCase.name})` : ""}`);
      }
      return admitted;
    } finally {
      await runtime.close();
    }
  } finally {
    await queue.close();
  }
}

async function enqueueAdmitted(
  queue: Awaited<ReturnType<typeof openRunQueue>>,
  threadId: string,
): Promise<void> {
  try {
    await queue.enqueue(threadId);
  } catch (error) {
    // The run is recorded as queued: not lost, a worker enqueues it when it starts.
    throw new GovernorError(
      "QUEUE_UNREACHABLE",
      `Run ${threadId} is admitted (status queued) but its job could not be put on the queue (${error instanceof Error ? error.message : String(error)}); the next worker to start enqueues it`,
      { threadId },
      { cause: error },
    );
  }
}
