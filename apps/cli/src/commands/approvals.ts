import {
  type ApprovalRequest,
  GovernorError,
  type GovernorRuntime,
  maskForDisplay,
  type RunOutcome,
  revealPendingRequest,
} from "@governor/core";
import { approverOf } from "../cli-values.js";
import { refuseIneligibleApprover } from "../decision-refusal.js";
import { decideAndPrint, defaultApprover } from "../drive-run.js";
import { loadSource } from "../load-target.js";
import { modelFor, modelsFor } from "../model-for.js";
import { openExistingRuntime } from "../open-runtime.js";
import { queueConfigured } from "../run-queue-client.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";
import type { QueuedAnswer } from "./queue-answer.js";

export interface DecideOptions {
  readonly reason?: string;
  readonly approver?: string;
  readonly dir?: string;
  readonly config?: string;
  /** The request decided, when an agent turn waits for several (`governor pending` lists their ids). */
  readonly request?: string;
  /** Decide every request the run waits for, one signed decision each. */
  readonly all?: boolean;
}

/**
 * `governor approve|reject THREAD [--request ID | --all]`: answers the approval(s) a run
 * waits for, from any process that opens the same store, and runs it on; with REDIS_URL set,
 * stores the signed answer and leaves the run to a worker. When an agent
 * turn waits for several calls, the approver names one (`--request`) or decides them all
 * (`--all`); the command never picks one for them.
 *
 * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_INTERRUPTED when the run is not waiting;
 *   RESUME_INVALID when several requests wait and neither flag is given, or `--request`
 *   names none of them; APPROVAL_INVALID when the approver may not decide a chosen request.
 */
export async function decideCommand(
  terminal: Terminal,
  decision: "approve" | "reject",
  threadId: string,
  options: DecideOptions,
): Promise<RunOutcome | QueuedAnswer> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await runtime.getRun(threadId);
    const requests = (await runtime.pending())
      .filter((entry) => entry.run.threadId === threadId)
      .map((entry) => entry.request);
    if (run.status !== "waiting" || !requests.length) {
      // A run waiting for budget is waiting, just not for this command.
      const why =
        run.status === "waiting"
          ? `waits for more budget, not for an approval: answer it with governor budget ${threadId} --extend-tokens N (or --extend-cost, --extend-steps) or --stop`
          : `is ${run.status}: it waits for no decision`;
      throw new GovernorError("RUN_NOT_INTERRUPTED", `Run ${threadId} ${why}`, {
        threadId,
        status: run.status,
      });
    }
    const chosen = chosenRequests(threadId, requests, options);
    const target = await loadSource(run.source, readWorkflowConfig(options.config));
    const model = await modelFor(target);
    const named = await modelsFor(target);
    const approver = approverOf(options.approver, defaultApprover);
    for (const request of chosen) {
      await refuseIneligibleApprover(
        runtime,
        target.workflow,
        {
          kind: "approval",
          threadId,
          approver,
          decision,
          requestId: request.requestId,
          tool: request.tool,
          callHash: request.callHash,
          reason: options.reason,
        },
        request.requiredScope,
      );
    }
    const what = options.all
      ? ` all ${chosen.length} requests of`
      : options.request
        ? ` ${options.request} of`
        : "";
    terminal.out(
      paint(terminal, "bold", `Governor · ${run.workflow} · ${decision}${what} ${threadId} as ${approver}`),
    );
    if (queueConfigured()) {
      const { enqueueAnswer } = await import("./queue-answer.js");
      const signed = { decision, approver, reason: options.reason };
      const resumeOptions = { model: model?.model, models: named?.models };
      return await enqueueAnswer(terminal, runtime, threadId, () =>
        options.all
          ? runtime.queueDecisionAll(target.workflow, threadId, signed, resumeOptions)
          : runtime.queueDecision(
              target.workflow,
              threadId,
              { ...signed, requestId: chosen[0]?.requestId },
              resumeOptions,
            ),
      );
    }
    return await decideAndPrint(
      terminal,
      { runtime, workflow: target.workflow, model: model?.model, models: named?.models, source: run.source },
      threadId,
      // The request checked above is the one signed for, even when it was the only one listed.
      {
        decision,
        approver,
        reason: options.reason,
        requestId: options.all ? undefined : chosen[0]?.requestId,
        all: options.all,
      },
    );
  } finally {
    await runtime.close();
  }
}

/**
 * The requests an approve/reject decides: the one named, all with `--all`, or the only one
 * pending. Several pending and neither flag is an error listing their ids: guessing would
 * sign for a call the approver did not pick.
 *
 * @throws {GovernorError} CONFIG_INVALID for both flags at once; RESUME_INVALID for an id
 *   that is not pending, or several pending and no choice made.
 */
function chosenRequests(
  threadId: string,
  requests: readonly ApprovalRequest[],
  options: DecideOptions,
): readonly ApprovalRequest[] {
  const ids = requests.map((request) => request.requestId);
  if (options.all && options.request !== undefined) {
    throw new GovernorError("CONFIG_INVALID", "Give either --request ID or --all, not both", { threadId });
  }
  if (options.all) return requests;
  if (options.request !== undefined) {
    const request = requests.find((candidate) => candidate.requestId === options.request);
    if (request) return [request];
    throw new GovernorError(
      "RESUME_INVALID",
      `Run ${threadId} has no pending request ${options.request}; pending: ${ids.join(", ")}`,
      { threadId, requestId: options.request, pending: ids },
    );
  }
  if (requests.length === 1) return requests;
  throw new GovernorError(
    "RESUME_INVALID",
    `Run ${threadId} waits for ${requests.length} approvals (${ids.join(", ")}): pass --request ID for one, or --all`,
    { threadId, pending: ids },
  );
}

export interface PendingOptions {
  readonly dir?: string;
  readonly json?: boolean;
  /** Show the real arguments of one run's request: needs `approver`, entitled to decide it. */
  readonly reveal?: boolean;
  /** With `reveal`: which request, when the run waits for several. */
  readonly request?: string;
  readonly approver?: string;
  readonly config?: string;
}

/**
 * `governor pending [THREAD]`: every request waiting for a human (or one run's), with what
 * it asks; a run whose agent turn waits for several calls shows each, with its request id.
 * Personal data in the request is masked (`[card ****4242]`); `--reveal --approver ID
 * [--request ID]` shows one request's real arguments to an approver entitled to decide it,
 * and the journal records who saw which fields.
 *
 * @throws {GovernorError} APPROVAL_INVALID when `--reveal` comes without an entitled
 *   `--approver` (nothing is shown); RUN_NOT_INTERRUPTED when the run waits for no approval.
 */
export async function pendingCommand(
  terminal: Terminal,
  threadId: string | undefined,
  options: PendingOptions,
): Promise<void> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    if (options.reveal) {
      await revealCommand(terminal, runtime, threadId, options);
      return;
    }
    const pending = (await runtime.pending())
      .filter((entry) => threadId === undefined || entry.run.threadId === threadId)
      .map(({ run, request }) => ({ run, request: maskForDisplay(request) }));
    const budgets = (await runtime.pendingBudgets()).filter(
      (entry) => threadId === undefined || entry.run.threadId === threadId,
    );
    if (options.json) {
      // The same items as the text, each with its kind: a run waiting for budget is waiting too.
      const items = [
        ...budgets.map(({ run, request }) => ({
          kind: "budget",
          threadId: run.threadId,
          workflow: run.workflow,
          request,
        })),
        ...pending.map(({ run, request }) => ({
          kind: "approval",
          threadId: run.threadId,
          workflow: run.workflow,
          request,
        })),
      ];
      terminal.out(JSON.stringify(items, null, 2));
      return;
    }
    if (!pending.length && !budgets.length) {
      terminal.out(`No runs are waiting for approval in ${runtime.store.location}.`);
      return;
    }
    for (const { run, request } of budgets) {
      terminal.out(
        `${paint(terminal, "yellow", "⏸")} ${run.threadId}  ${run.workflow} · ${request.node} · waiting for budget`,
      );
      terminal.out(`    ${request.summary}`);
    }
    for (const { run, request } of pending) {
      terminal.out(
        `${paint(terminal, "yellow", "⏸")} ${run.threadId}  ${run.workflow} · ${request.node} · request ${request.requestId} · since ${run.updatedAt}`,
      );
      if (request.summary) terminal.out(`    ${request.summary}`);
      terminal.out(`    call ${request.tool} ${JSON.stringify(request.args)}`);
      terminal.out(`    why: ${request.reasons.join("; ")} · expires ${request.expiresAt}`);
    }
  } finally {
    await runtime.close();
  }
}

async function revealCommand(
  terminal: Terminal,
  runtime: GovernorRuntime,
  threadId: string | undefined,
  options: PendingOptions,
): Promise<void> {
  if (!threadId || !options.approver) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      "--reveal shows one run's real arguments to one approver: pass the thread and --approver ID (the reveal is audited under that id)",
      { threadId },
    );
  }
  const run = await runtime.getRun(threadId);
  const target = await loadSource(run.source, readWorkflowConfig(options.config));
  const model = await modelFor(target);
  const named = await modelsFor(target);
  const { request, fields } = await revealPendingRequest(
    runtime,
    target.workflow,
    threadId,
    options.approver,
    { model: model?.model, models: named?.models, requestId: options.request },
  );
  if (options.json) {
    terminal.out(JSON.stringify({ threadId, workflow: run.workflow, request, revealed: fields }, null, 2));
    return;
  }
  terminal.out(
    `${paint(terminal, "yellow", "⏸")} ${threadId}  ${run.workflow} · ${request.node} · request ${request.requestId} · shown unmasked to ${options.approver}`,
  );
  if (request.summary) terminal.out(`    ${request.summary}`);
  terminal.out(`    call ${request.tool} ${JSON.stringify(request.args)}`);
  terminal.out(
    `    revealed: ${fields.join(", ") || "nothing was masked"} · recorded in the audit journal (approval/reveal)`,
  );
}
