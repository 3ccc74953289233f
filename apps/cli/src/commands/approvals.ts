import { GovernorError, maskForDisplay, type RunOutcome, revealPendingRequest } from "@governor/core";
import { decideAndPrint, defaultApprover, eligibleApprovers } from "../drive-run.js";
import { loadSource } from "../load-target.js";
import { modelFor } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

export interface DecideOptions {
  readonly reason?: string;
  readonly approver?: string;
  readonly dir?: string;
  readonly config?: string;
}

/**
 * `governor approve|reject THREAD`: answers the approval a run waits for, from any process
 * that opens the same store, and runs it on.
 *
 * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_INTERRUPTED when the run is not waiting.
 */
export async function decideCommand(
  terminal: Terminal,
  decision: "approve" | "reject",
  threadId: string,
  options: DecideOptions,
): Promise<RunOutcome> {
  const runtime = openRuntime(options.dir);
  try {
    const run = runtime.getRun(threadId);
    const request = runtime.pending().find((entry) => entry.run.threadId === threadId)?.request;
    if (run.status !== "waiting" || !request) {
      throw new GovernorError(
        "RUN_NOT_INTERRUPTED",
        `Run ${threadId} is ${run.status}, not waiting for a decision`,
        { threadId, status: run.status },
      );
    }
    const target = await loadSource(run.source, readWorkflowConfig(options.config));
    const model = await modelFor(target);
    const approver = options.approver ?? defaultApprover();
    const eligible = eligibleApprovers(target.workflow, request);
    if (eligible && !eligible.includes(approver)) {
      throw new GovernorError(
        "APPROVAL_INVALID",
        `${approver} may not decide this request${request.requiredScope ? ` (it needs ${request.requiredScope})` : ""}. Approvers who may: ${eligible.join(", ") || "none configured"}; pass --approver ID`,
        { threadId, approver },
      );
    }
    terminal.out(
      paint(terminal, "bold", `Governor · ${run.workflow} · ${decision} ${threadId} as ${approver}`),
    );
    return await decideAndPrint(
      terminal,
      { runtime, workflow: target.workflow, model: model?.model, source: run.source },
      threadId,
      { decision, approver, reason: options.reason },
    );
  } finally {
    runtime.close();
  }
}

export interface PendingOptions {
  readonly dir?: string;
  readonly json?: boolean;
  /** Show the real arguments of one run's request: needs `approver`, entitled to decide it. */
  readonly reveal?: boolean;
  readonly approver?: string;
  readonly config?: string;
}

/**
 * `governor pending [THREAD]`: every run waiting for a human (or one), with what it asks.
 * Personal data in the request is masked (`[card ****4242]`); `--reveal --approver ID`
 * shows one request's real arguments to an approver entitled to decide it, and the journal
 * records who saw which fields.
 *
 * @throws {GovernorError} APPROVAL_INVALID when `--reveal` comes without an entitled
 *   `--approver` (nothing is shown); RUN_NOT_INTERRUPTED when the run waits for no approval.
 */
export async function pendingCommand(
  terminal: Terminal,
  threadId: string | undefined,
  options: PendingOptions,
): Promise<void> {
  const runtime = openRuntime(options.dir);
  try {
    if (options.reveal) {
      await revealCommand(terminal, runtime, threadId, options);
      return;
    }
    const pending = runtime
      .pending()
      .filter((entry) => threadId === undefined || entry.run.threadId === threadId)
      .map(({ run, request }) => ({ run, request: maskForDisplay(request) }));
    if (options.json) {
      terminal.out(
        JSON.stringify(
          pending.map(({ run, request }) => ({ threadId: run.threadId, workflow: run.workflow, request })),
          null,
          2,
        ),
      );
      return;
    }
    const budgets = runtime
      .pendingBudgets()
      .filter((entry) => threadId === undefined || entry.run.threadId === threadId);
    if (!pending.length && !budgets.length) {
      terminal.out(`No runs are waiting for approval in ${runtime.store.dir}.`);
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
        `${paint(terminal, "yellow", "⏸")} ${run.threadId}  ${run.workflow} · ${request.node} · since ${run.updatedAt}`,
      );
      if (request.summary) terminal.out(`    ${request.summary}`);
      terminal.out(`    call ${request.tool} ${JSON.stringify(request.args)}`);
      terminal.out(`    why: ${request.reasons.join("; ")} · expires ${request.expiresAt}`);
    }
  } finally {
    runtime.close();
  }
}

async function revealCommand(
  terminal: Terminal,
  runtime: ReturnType<typeof openRuntime>,
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
  const run = runtime.getRun(threadId);
  const target = await loadSource(run.source, readWorkflowConfig(options.config));
  const model = await modelFor(target);
  const { request, fields } = await revealPendingRequest(
    runtime,
    target.workflow,
    threadId,
    options.approver,
    {
      model: model?.model,
    },
  );
  if (options.json) {
    terminal.out(JSON.stringify({ threadId, workflow: run.workflow, request, revealed: fields }, null, 2));
    return;
  }
  terminal.out(
    `${paint(terminal, "yellow", "⏸")} ${threadId}  ${run.workflow} · ${request.node} · shown unmasked to ${options.approver}`,
  );
  if (request.summary) terminal.out(`    ${request.summary}`);
  terminal.out(`    call ${request.tool} ${JSON.stringify(request.args)}`);
  terminal.out(
    `    revealed: ${fields.join(", ") || "nothing was masked"} · recorded in the audit journal (approval/reveal)`,
  );
}
