import { BUDGET_GRANT_SCOPE, type BudgetExtra, type GovernorRuntime } from "@governor/core";
import { GovernorError } from "@governor/errors";
import { refuseIneligibleApprover } from "../decision-refusal.js";
import { loadSource } from "../load-target.js";
import { targetModels } from "../model-for.js";
import { openExistingRuntime } from "../open-runtime.js";
import { openRunQueue } from "../run-queue-client.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

/** What an answer handed to a worker returns: the run did not move in this process. */
export interface QueuedAnswer {
  readonly threadId: string;
  readonly status: "queued";
  readonly jobId: string;
}

/**
 * Stores a signed answer for a waiting run (`store`: the runtime's queueDecision,
 * queueDecisionAll or queueBudgetGrant, which sign and check it exactly as a resume here
 * would) and enqueues the resume for any worker. The queue is opened first: with a bad
 * REDIS_URL nothing is stored.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID / QUEUE_UNREACHABLE; whatever `store` refuses.
 */
export async function enqueueAnswer(
  terminal: Terminal,
  runtime: GovernorRuntime,
  threadId: string,
  store: () => Promise<unknown>,
): Promise<QueuedAnswer> {
  const queue = await openRunQueue();
  try {
    await store();
    let jobId: string;
    try {
      ({ jobId } = await queue.enqueueFromStore(runtime.store.runs, threadId));
    } catch (error) {
      throw new GovernorError(
        "QUEUE_UNREACHABLE",
        `The answer for run ${threadId} is stored, but its resume could not be put on the queue (${error instanceof Error ? error.message : String(error)}); the next worker to start enqueues it`,
        { threadId },
        { cause: error },
      );
    }
    terminal.out(
      paint(terminal, "green", `${threadId}: answer signed and queued for a worker (job ${jobId})`),
    );
    return { threadId, status: "queued", jobId };
  } finally {
    await queue.close();
  }
}

/** `governor budget THREAD --extend-…` with REDIS_URL set: a signed grant, resumed by a worker. */
export async function queueBudgetGrant(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string; config?: string; approver: string; extra: BudgetExtra; reason?: string },
): Promise<QueuedAnswer> {
  const config = readWorkflowConfig(options.config);
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await runtime.getRun(threadId);
    const target = await loadSource(run.source, config);
    const { model, models } = await targetModels(target);
    terminal.out(
      paint(
        terminal,
        "bold",
        `Governor · ${run.workflow} · budget ${threadId}: extend as ${options.approver}`,
      ),
    );
    // Checked here as the direct path checks it: a worker would only find the grant refused
    // later, after this command had said it was queued.
    await refuseIneligibleApprover(
      runtime,
      target.workflow,
      { kind: "budget", threadId, approver: options.approver, decision: "extend", reason: options.reason },
      BUDGET_GRANT_SCOPE,
    );
    return await enqueueAnswer(terminal, runtime, threadId, () =>
      runtime.queueBudgetGrant(
        target.workflow,
        threadId,
        { approver: options.approver, extra: options.extra, reason: options.reason },
        { model, models },
      ),
    );
  } finally {
    await runtime.close();
  }
}
