import { randomUUID } from "node:crypto";
import {
  type ApprovalRequest,
  eligibleApprovers,
  type GovernorEvent,
  type GovernorRuntime,
  maskText,
  type RunBudget,
  type RunOutcome,
  type Workflow,
} from "@governor/core";
import { issueDelegationToken, type Principal } from "@governor/identity";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { formatApprovalRequest, formatEvent } from "./format-events.js";
import { GovernedCallLog, outcomeLines } from "./governed-outcome.js";
import { terminalUser } from "./operator.js";
import type { Terminal } from "./terminal.js";

/** A workflow ready to run in an open runtime. */
export interface LoadedRun {
  readonly runtime: GovernorRuntime;
  readonly workflow: Workflow;
  readonly model?: BaseChatModel;
  /** Named models for steps that route between them (a sample's `models`). */
  readonly models?: Readonly<Record<string, BaseChatModel>>;
  readonly source: string;
}

/** Who answers an approval from this terminal: GOVERNOR_APPROVER, else the OS user. */
export function defaultApprover(): string {
  return process.env.GOVERNOR_APPROVER ?? terminalUser();
}

/** Starts a run, printing each step; answers its approvals at the terminal when `interactive`. */
export async function runWithApprovals(
  terminal: Terminal,
  run: LoadedRun,
  options: {
    input: unknown;
    principal?: Principal;
    delegation?: { userId: string; scopes: readonly string[] };
    threadId?: string;
    interactive: boolean;
    budget?: RunBudget;
  },
): Promise<RunOutcome> {
  // The summary reports what happened to the governed calls, which only the events tell.
  const calls = new GovernedCallLog();
  const onEvent = (event: Parameters<typeof formatEvent>[1]) => {
    calls.record(event);
    terminal.out(formatEvent(terminal, event));
  };
  const threadId = options.threadId ?? randomUUID();
  terminal.out(`   thread ${threadId}`);
  // A sample case acting for a user gets a delegation token, as the user's login would issue one.
  const delegation = options.delegation && {
    token: await issueDelegationToken(run.runtime.store.tokenKeys, {
      agentId: run.workflow.agent.id,
      userId: options.delegation.userId,
      scopes: [...options.delegation.scopes],
    }),
  };
  if (options.delegation) {
    terminal.out(
      `   acting for user ${options.delegation.userId} (delegated scopes: ${options.delegation.scopes.join(", ") || "none"})`,
    );
  }
  let outcome = await run.runtime.start(run.workflow, options.input, {
    model: run.model,
    models: run.models,
    principal: options.principal,
    delegation,
    budget: options.budget,
    threadId,
    source: run.source,
    onEvent,
  });
  // An agent turn may wait for several calls: each is shown, and asked about one at a time
  // (by its request id), the run going on after each answer while the others stay pending.
  while (outcome.status === "waiting" && outcome.approval) {
    for (const request of outcome.approvals ?? [outcome.approval]) {
      for (const line of formatApprovalRequest(terminal, request)) terminal.out(line);
    }
    if (!options.interactive) break;
    const request = outcome.approval;
    const answer = await askApprover(run.workflow, request);
    if (!answer) break;
    outcome = await run.runtime.decide(
      run.workflow,
      outcome.threadId,
      { ...answer, requestId: request.requestId },
      { model: run.model, models: run.models, onEvent },
    );
  }
  for (const line of outcomeLines(terminal, run.workflow, calls, outcome)) terminal.out(line);
  return outcome;
}

/** Signs an approver's decision for a waiting run and resumes it, printing what follows. */
export async function decideAndPrint(
  terminal: Terminal,
  run: LoadedRun,
  threadId: string,
  answer: ApproverAnswer,
): Promise<RunOutcome> {
  const { all, ...decision } = answer;
  const calls = new GovernedCallLog();
  const options = {
    model: run.model,
    models: run.models,
    onEvent: (event: GovernorEvent) => {
      calls.record(event);
      terminal.out(formatEvent(terminal, event));
    },
  };
  const outcome = all
    ? await run.runtime.decideAll(run.workflow, threadId, decision, options)
    : await run.runtime.decide(run.workflow, threadId, decision, options);
  if (outcome.status === "waiting" && outcome.approval) {
    for (const request of outcome.approvals ?? [outcome.approval]) {
      for (const line of formatApprovalRequest(terminal, request)) terminal.out(line);
    }
  }
  for (const line of outcomeLines(terminal, run.workflow, calls, outcome, true)) terminal.out(line);
  return outcome;
}

/** An approver's answer before it is signed. */
export interface ApproverAnswer {
  readonly decision: "approve" | "reject";
  readonly approver: string;
  readonly reason?: string;
  /** The request answered, when the run waits for several. */
  readonly requestId?: string;
  /** Answer every request the run waits for alike. */
  readonly all?: boolean;
}

/** Asks the person at the terminal; undefined when they leave it for later. */
async function askApprover(
  workflow: Workflow,
  request: ApprovalRequest,
): Promise<ApproverAnswer | undefined> {
  // Only a person at a terminal is asked: runs without one never load the prompt library.
  const prompts = await import("@clack/prompts");
  const decision = await prompts.select({
    message: `Approve ${maskText(request.summary ?? request.tool)}?`,
    options: [
      { value: "approve", label: "Approve", hint: "the call runs once, exactly as shown" },
      { value: "reject", label: "Reject", hint: "the call never runs; the model is told" },
      { value: "later", label: "Decide later", hint: "leave the run waiting for governor approve/reject" },
    ],
  });
  if (prompts.isCancel(decision) || decision === "later") return undefined;
  const eligible = eligibleApprovers(workflow, request);
  const approver = eligible?.length
    ? await prompts.select({
        message: "Decide as",
        options: eligible.map((id) => ({ value: id, label: id })),
      })
    : await prompts.text({
        message: "Decide as",
        defaultValue: defaultApprover(),
        placeholder: defaultApprover(),
      });
  if (prompts.isCancel(approver)) return undefined;
  const reason = await prompts.text({ message: "Reason (optional)", placeholder: "why", defaultValue: "" });
  if (prompts.isCancel(reason)) return undefined;
  return {
    decision: decision as "approve" | "reject",
    approver: String(approver),
    reason: reason || undefined,
  };
}
