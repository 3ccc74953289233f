import { GovernorError, type RunOutcome } from "@governor/core";
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

/** `governor pending`: every run waiting for a human, with what it asks. */
export function pendingCommand(terminal: Terminal, options: { dir?: string; json?: boolean }): void {
  const runtime = openRuntime(options.dir);
  try {
    const pending = runtime.pending();
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
    if (!pending.length && !runtime.pendingBudgets().length) {
      terminal.out(`No runs are waiting for approval in ${runtime.store.dir}.`);
      return;
    }
    for (const { run, request } of runtime.pendingBudgets()) {
      terminal.out(
        `${paint(terminal, "yellow", "⏸")} ${run.threadId}  ${run.workflow} · ${request.node} · waiting for budget`,
      );
      terminal.out(`    ${request.summary}`);
    }
    for (const { run, request } of pending) {
      terminal.out(
        `${paint(terminal, "yellow", "⏸")} ${run.threadId}  ${run.workflow} · ${request.node} · since ${run.updatedAt}`,
      );
      terminal.out(`    ${request.summary ?? `${request.tool} ${JSON.stringify(request.args)}`}`);
      terminal.out(`    why: ${request.reasons.join("; ")} · expires ${request.expiresAt}`);
    }
  } finally {
    runtime.close();
  }
}
