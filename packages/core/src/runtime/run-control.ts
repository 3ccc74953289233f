import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import { type ApprovalBatch, approvalRequestsOf } from "../approvals/approval-batch.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { SpendLedger } from "../budget/daily-spend.js";
import { spendKey, utcDay } from "../budget/daily-spend.js";
import { mergeBudgets, parseBudget, type RunBudget } from "../budget/run-budget.js";
import type { RunUsage } from "../budget/run-usage.js";
import type { KillSwitch } from "../control/kill-switch.js";
import { stopError } from "../control/run-stop.js";
import type { GovernorChannel } from "../graph/governor-channel.js";
import type { Workflow } from "../workflow/define-workflow.js";

/**
 * Refuses to start or resume a run while a kill switch covers its agent.
 *
 * @throws {GovernorError} KILLED naming the switch and its reason.
 */
export async function refuseIfKilled(kills: KillSwitch, principal: Principal, what: string): Promise<void> {
  const kill = await kills.active(principal.agentId);
  if (!kill) return;
  throw new GovernorError(
    "KILLED",
    `Refused to ${what}: the ${kill.scope} kill switch is engaged (${kill.reason}); release it with governor unkill${kill.scope === "global" ? "" : ` --agent ${principal.agentId}`}`,
    { scope: kill.scope, reason: kill.reason, agent: principal.agentId },
  );
}

/**
 * The budget a new run starts with (the workflow's, overridden by the run's), after
 * refusing a principal that has already used up its daily budget.
 *
 * @throws {GovernorError} CONFIG_INVALID for a malformed budget, BUDGET_EXCEEDED when the
 *   principal's spend today has reached its daily budget.
 */
export async function admitBudget(
  spend: SpendLedger,
  workflow: Workflow,
  principal: Principal,
  runBudget: RunBudget | undefined,
  now: number,
): Promise<RunBudget | undefined> {
  const budget = mergeBudgets(
    parseBudget(workflow.budget, `workflow "${workflow.name}"`),
    parseBudget(runBudget, "the run options"),
  );
  const daily = budget?.dailyCostUsdPerPrincipal;
  if (daily !== undefined) {
    const day = utcDay(now);
    const spent = await spend.spent(spendKey(principal), day);
    if (spent >= daily) {
      throw new GovernorError(
        "BUDGET_EXCEEDED",
        `Refused to start ${workflow.name}: ${principal.id} has spent $${spent.toFixed(6)} of its $${daily} daily model budget on ${day}`,
        { principal: principal.id, day, spent, limit: daily },
      );
    }
  }
  return budget;
}

/**
 * The request a run's pending interrupt carries, when it is of `type`: an approval or a
 * budget request. LangGraph keeps it on the task that interrupted.
 */
export function pendingInterrupt<T extends { readonly type: string }>(
  snapshot: { tasks: readonly { interrupts?: readonly { value?: unknown }[] }[] },
  type: T["type"],
): T | undefined {
  for (const task of snapshot.tasks) {
    for (const pending of task.interrupts ?? []) {
      const value = pending.value as T | undefined;
      if (value?.type === type) return value;
    }
  }
  return undefined;
}

/** Snapshot tasks as LangGraph keeps them: each with the interrupts it raised. */
export type InterruptedTasks = {
  tasks: readonly { id?: string; interrupts?: readonly { id?: string; value?: unknown }[] }[];
};

/**
 * One pending interrupt that asks humans for approvals: an approval node's single request,
 * or an agent loop's batch of requests (one per call waiting for a human).
 */
export interface ApprovalInterrupt {
  /** LangGraph's interrupt id: a resume map keyed by it answers this interrupt only. */
  readonly id?: string;
  /** True for an agent loop's batch (`{ type: "approvals" }`), which accepts `{ tokens }`. */
  readonly batch: boolean;
  readonly requests: readonly ApprovalRequest[];
}

/** Writes LangGraph keeps for a task that has not finished: its interrupt, resume values, error, schedule. */
const UNFINISHED_CHANNELS = new Set([
  "__interrupt__",
  "__resume__",
  "__error__",
  "__error_source_node__",
  "__scheduled__",
]);

/**
 * The tasks of a checkpoint that finished (wrote state), from its pending writes.
 *
 * When two tasks of one step interrupted and only one was answered, the one that finished
 * keeps its old interrupt in the checkpoint (LangGraph stores interrupts apart from a task's
 * other writes), so `getState()` still lists it: only the writes tell that it is done.
 */
export function finishedTasks(
  pendingWrites: readonly (readonly [string, string, unknown])[] | undefined,
): ReadonlySet<string> {
  const finished = new Set<string>();
  for (const [taskId, channel] of pendingWrites ?? []) {
    if (!UNFINISHED_CHANNELS.has(channel)) finished.add(taskId);
  }
  return finished;
}

/**
 * Every pending interrupt of a run that asks for approvals, in task order, leaving out the
 * interrupts of `finished` tasks (see `finishedTasks`). A batch's `refusal` (why the
 * last answer decided nothing, and `refusedAnswer`, its text) is copied onto each of its requests, so a caller reading
 * requests sees it as it does on a single approval's request.
 */
export function approvalInterrupts(
  snapshot: InterruptedTasks,
  finished: ReadonlySet<string> = new Set(),
): ApprovalInterrupt[] {
  const found: ApprovalInterrupt[] = [];
  for (const task of snapshot.tasks) {
    if (task.id !== undefined && finished.has(task.id)) continue;
    for (const pending of task.interrupts ?? []) {
      const requests = approvalRequestsOf(pending.value);
      if (!requests.length) continue;
      const batch = (pending.value as { type?: unknown }).type === "approvals";
      const value = pending.value as Pick<ApprovalBatch, "refusal" | "refusedAnswer">;
      const refusedAnswer = batch ? value.refusedAnswer : undefined;
      const refusal = batch ? value.refusal : undefined;
      found.push({
        id: pending.id,
        batch,
        requests:
          typeof refusedAnswer === "string"
            ? requests.map((request) =>
                request.refusedAnswer
                  ? request
                  : { ...request, refusedAnswer, ...(refusal ? { refusal } : {}) },
              )
            : requests,
      });
    }
  }
  return found;
}

/** Every approval request a run waits for, from single approvals and batches alike. */
export function pendingApprovalRequests(
  snapshot: InterruptedTasks,
  finished?: ReadonlySet<string>,
): ApprovalRequest[] {
  return approvalInterrupts(snapshot, finished).flatMap((pending) => pending.requests);
}

/** The error a control recorded when it ended the run, if one did. */
export function stopOf(state: Record<string, unknown>): GovernorError | undefined {
  const stop = (state.governor as GovernorChannel | undefined)?.stop;
  return stop ? stopError(stop) : undefined;
}

export function usageIn(state: Record<string, unknown>): RunUsage | undefined {
  return (state.governor as GovernorChannel | undefined)?.usage;
}
