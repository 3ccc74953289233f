import {
  type ApprovalRequest,
  BUDGET_GRANT_SCOPE,
  type BudgetRequest,
  eligibleApprovers,
  maskForDisplay,
  type RunRecord,
} from "@governor/core";
import { type DecideDeps, unresolved } from "../decide-target.js";

/** Whether the console can decide an entry, and who may when it can. */
export type Decidability =
  | {
      readonly decidable: true;
      /** The approvers the workflow names for it; undefined when its registry cannot list them. */
      readonly eligible: readonly string[] | undefined;
    }
  | { readonly decidable: false; readonly why: string };

export interface InboxApproval {
  readonly run: RunRecord;
  /** Masked for display, as `governor pending` shows it. */
  readonly request: ApprovalRequest;
  readonly decidability: Decidability;
}

export interface InboxBudget {
  readonly run: RunRecord;
  readonly request: BudgetRequest;
  readonly decidability: Decidability;
}

export interface Inbox {
  readonly approvals: readonly InboxApproval[];
  readonly budgets: readonly InboxBudget[];
}

/**
 * Everything waiting for a human, oldest first: each approval request (a run whose agent
 * turn waits for two calls is listed twice) and each budget request, masked, with whether
 * the console can decide it. A run started with a workflow the console does not know is
 * listed, with why it cannot be decided here.
 */
export async function readInbox(deps: DecideDeps): Promise<Inbox> {
  const [pending, budgets] = await Promise.all([deps.runtime.pending(), deps.runtime.pendingBudgets()]);
  const scopes = new Map<string, Promise<Decidability>>();
  const decidability = (run: RunRecord, requiredScope: string | undefined) => {
    const key = `${run.threadId}\u0000${requiredScope ?? ""}`;
    let found = scopes.get(key);
    if (!found) {
      found = decidabilityOf(deps, run, requiredScope);
      scopes.set(key, found);
    }
    return found;
  };
  return {
    approvals: await Promise.all(
      pending.map(async ({ run, request }) => ({
        run,
        request: maskForDisplay(request),
        decidability: await decidability(run, request.requiredScope),
      })),
    ),
    budgets: await Promise.all(
      budgets.map(async ({ run, request }) => ({
        run,
        request: maskForDisplay(request),
        decidability: await decidability(run, BUDGET_GRANT_SCOPE),
      })),
    ),
  };
}

async function decidabilityOf(
  deps: DecideDeps,
  run: RunRecord,
  requiredScope: string | undefined,
): Promise<Decidability> {
  let target: Awaited<ReturnType<DecideDeps["workflowFor"]>>;
  try {
    target = await deps.workflowFor(run);
  } catch (error) {
    // A workflow that fails to load is one the console cannot decide with; the inbox still shows.
    return {
      decidable: false,
      why: `its workflow could not be loaded (${error instanceof Error ? error.name : "error"})`,
    };
  }
  if (!target || target.workflow.name !== run.workflow)
    return { decidable: false, why: unresolved(run).message };
  return { decidable: true, eligible: eligibleApprovers(target.workflow, { requiredScope }) };
}
