import { GovernorError, type GovernorRuntime } from "@governor/core";
import { type ApproverRegistry, signApprovalDecision } from "@governor/identity";
import type { MemoryApprovalRequest, MemoryEvent } from "@governor/memory";
import { approverOf } from "../cli-values.js";
import { defaultApprover } from "../drive-run.js";
import { loadSource, loadTarget } from "../load-target.js";
import { memoryOf, openExistingRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";
import { formatEvent, formatRequest } from "./memory-format.js";
import { operatorPrincipal, type ScopeOptions, scopeFrom } from "./memory-scope.js";

export interface MemoryPendingOptions extends ScopeOptions {
  readonly dir?: string;
  readonly json?: boolean;
}

/**
 * `governor memory pending [--tenant T …]`: writes waiting for an approval (a lower authority
 * overwriting or retracting a higher one), in every partition or in the one named.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID for a malformed scope.
 */
export async function memoryPendingCommand(terminal: Terminal, options: MemoryPendingOptions): Promise<void> {
  const narrowed = [options.tenant, options.agent, options.user, options.thread].some(
    (part) => part !== undefined,
  );
  const scope = narrowed ? scopeFrom(options) : undefined;
  const runtime = await openExistingRuntime(options.dir);
  try {
    const requests = memoryOf(runtime).pending(operatorPrincipal(), scope);
    if (options.json) {
      terminal.out(JSON.stringify(requests, null, 2));
      return;
    }
    if (!requests.length) {
      terminal.out(`No memory writes are waiting for approval in ${runtime.store.location}.`);
      return;
    }
    for (const request of requests) terminal.out(formatRequest(terminal, request).join("\n"));
  } finally {
    await runtime.close();
  }
}

export interface MemoryDecideOptions {
  readonly dir?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly request?: string;
  readonly approver?: string;
  readonly reason?: string;
  /** The sample or registered workflow whose approvers decide a write proposed outside any run. */
  readonly workflow?: string;
}

/**
 * `governor memory approve|reject --request ID`: signs the approver's decision bound to that
 * request (its thread, node, id and the proposal's hash) with the store's keys, as
 * `governor approve` does for runs, and hands it to the store, which verifies it against the
 * workflow's approvers and applies or drops the write once.
 *
 * @returns the event, so the caller can exit non-zero when the write was not applied.
 * @throws {GovernorError} APPROVAL_INVALID when the request is not waiting (unknown, or
 *   already decided), nobody is configured to decide it, or the approver may not;
 *   MEMORY_PROPOSAL_STALE when the key changed since the write was proposed.
 */
export async function memoryDecideCommand(
  terminal: Terminal,
  decision: "approve" | "reject",
  options: MemoryDecideOptions,
): Promise<MemoryEvent> {
  if (options.request === undefined) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `memory ${decision} needs --request ID (see governor memory pending)`,
    );
  }
  const runtime = await openExistingRuntime(options.dir);
  try {
    const request = await waitingRequest(runtime, options.request);
    const { approvers, from } = await approversFor(runtime, request, options);
    const approver = approverOf(options.approver, defaultApprover);
    checkApprover(approvers, approver, request, from);
    const token = await signApprovalDecision(runtime.store.tokenKeys, {
      approver,
      decision,
      request,
      reason: options.reason,
      now: new Date(),
    });
    const event = await memoryOf(runtime).decide(token, { approvers });
    if (options.json) terminal.out(JSON.stringify(event, null, 2));
    else {
      terminal.out(
        paint(
          terminal,
          "bold",
          `Governor · memory · ${decision} ${request.requestId} as ${approver} (${from})`,
        ),
      );
      terminal.out(formatEvent(terminal, event, decision === "reject" ? "rejected" : "refused").join("\n"));
    }
    return event;
  } finally {
    await runtime.close();
  }
}

/**
 * The request, if it is still waiting. One decided already is named as such, from the audit
 * journal, so a second approve says why it cannot count again.
 *
 * @throws {GovernorError} APPROVAL_INVALID when no write waits for that request.
 */
async function waitingRequest(runtime: GovernorRuntime, requestId: string): Promise<MemoryApprovalRequest> {
  const request = memoryOf(runtime)
    .pending(operatorPrincipal())
    .find((candidate) => candidate.requestId === requestId);
  if (request) return request;
  const decided = (await runtime.store.audit.list())
    .filter((record) => record.kind === "memory" && record.data.requestId === requestId)
    .at(-1);
  if (decided) {
    const by = (decided.data.approval as { approver?: string } | undefined)?.approver;
    throw new GovernorError(
      "APPROVAL_INVALID",
      `memory request ${requestId} was already decided (${decided.outcome}${by ? ` by ${by}` : ""}, audit #${decided.seq}): a request is decided once`,
      { requestId, outcome: decided.outcome, auditSeq: decided.seq },
    );
  }
  throw new GovernorError(
    "APPROVAL_INVALID",
    `no memory write waits for request ${requestId} in ${runtime.store.location}; see governor memory pending`,
    { requestId },
  );
}

/**
 * Who may decide: the approvers of the workflow the write belongs to. A write proposed by a
 * run is decided by that run's workflow's approvers (and no other workflow may be named in
 * their place); a write from outside any run (the CLI's own `forget`, a script) by those of
 * the workflow `--workflow` names. No workflow, or one without approvers: nobody may, and
 * nothing is signed.
 *
 * @throws {GovernorError} APPROVAL_INVALID as above; SOURCE_UNREGISTERED, SAMPLE_UNKNOWN,
 *   WORKFLOW_LOAD_FAILED when the workflow cannot be found.
 */
async function approversFor(
  runtime: GovernorRuntime,
  request: MemoryApprovalRequest,
  options: MemoryDecideOptions,
): Promise<{ approvers: ApproverRegistry; from: string }> {
  const config = readWorkflowConfig(options.config);
  const run = await runtime.store.runs.get(request.threadId);
  if (run && options.workflow !== undefined) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `memory request ${request.requestId} was proposed by run ${run.threadId} (${run.workflow}): its workflow's approvers decide it; drop --workflow`,
      { requestId: request.requestId, threadId: run.threadId },
    );
  }
  if (!run && options.workflow === undefined) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `memory request ${request.requestId} was proposed outside any run (${request.threadId}): name the workflow whose approvers decide it with --workflow NAME`,
      { requestId: request.requestId, threadId: request.threadId },
    );
  }
  const target = run
    ? await loadSource(run.source, config)
    : await loadTarget(options.workflow as string, config);
  const from = `approvers of ${target.workflow.name}`;
  if (!target.workflow.approvers) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      `workflow ${target.workflow.name} names no approvers, so nobody may decide memory request ${request.requestId}`,
      { requestId: request.requestId, workflow: target.workflow.name },
    );
  }
  return { approvers: target.workflow.approvers, from };
}

/**
 * Refuses before signing when the registry does not know the approver, naming who may: the
 * store verifies again, but an operator should learn whom to ask, not just "no".
 *
 * @throws {GovernorError} APPROVAL_INVALID for an approver the registry does not know.
 */
function checkApprover(
  approvers: ApproverRegistry,
  approver: string,
  request: MemoryApprovalRequest,
  from: string,
): void {
  if (approvers.findApprover(approver)) return;
  const known = approvers.approversWith?.().map((candidate) => candidate.id);
  throw new GovernorError(
    "APPROVAL_INVALID",
    `${approver} may not decide memory request ${request.requestId}: not one of the ${from}${known ? ` (${known.join(", ") || "none"})` : ""}; pass --approver ID`,
    { requestId: request.requestId, approver },
  );
}
