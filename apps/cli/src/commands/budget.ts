import { BUDGET_GRANT_SCOPE, GovernorError, type RunOutcome } from "@governor/core";
import { approverOf } from "../cli-values.js";
import { continueRun } from "../continue-run.js";
import { refuseIneligibleApprover } from "../decision-refusal.js";
import { defaultApprover } from "../drive-run.js";
import { queueConfigured } from "../run-queue-client.js";
import type { Terminal } from "../terminal.js";
import type { QueuedAnswer } from "./queue-answer.js";

export interface BudgetCommandOptions {
  readonly extendTokens?: string;
  readonly extendCost?: string;
  readonly extendSteps?: string;
  readonly stop?: boolean;
  readonly approver?: string;
  readonly reason?: string;
  readonly dir?: string;
  readonly config?: string;
}

/**
 * `governor budget THREAD`: answers a run that stopped before overspending — grant more
 * (tokens, cost, steps) or stop it. The model is not called until someone answers.
 *
 * @throws {GovernorError} CONFIG_INVALID when neither an extension nor --stop is given;
 *   APPROVAL_INVALID (audited) when the approver may not extend budgets, or the run refused
 *   the grant.
 */
export async function budgetCommand(
  terminal: Terminal,
  threadId: string,
  options: BudgetCommandOptions,
): Promise<RunOutcome | QueuedAnswer> {
  const extra = {
    tokens: numberOption(options.extendTokens, "--extend-tokens"),
    costUsd: numberOption(options.extendCost, "--extend-cost"),
    steps: numberOption(options.extendSteps, "--extend-steps"),
  };
  const extending = Object.values(extra).some((value) => value !== undefined);
  if (extending === Boolean(options.stop)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "Give either --stop or at least one of --extend-tokens, --extend-cost, --extend-steps",
    );
  }
  const approver = approverOf(options.approver, defaultApprover);
  if (extending && queueConfigured()) {
    // A grant is signed here and resumed by a worker; --stop ends the run here (nothing to run).
    const { queueBudgetGrant } = await import("./queue-answer.js");
    return queueBudgetGrant(terminal, threadId, { ...options, approver, extra, reason: options.reason });
  }
  const outcome = await continueRun(
    terminal,
    threadId,
    {
      dir: options.dir,
      config: options.config,
      title: (run) =>
        `Governor · ${run.workflow} · budget ${threadId}: ${options.stop ? "stop" : "extend"} as ${approver}`,
    },
    async ({ runtime, target, model, models, onEvent }) => {
      if (options.stop) {
        // Stopping spends nothing, so anyone answering may stop a run.
        return runtime.resume(
          target.workflow,
          threadId,
          { decision: "stop", approver, reason: options.reason },
          { model, models, onEvent },
        );
      }
      await refuseIneligibleApprover(
        runtime,
        target.workflow,
        { kind: "budget", threadId, approver, decision: "extend", reason: options.reason },
        BUDGET_GRANT_SCOPE,
      );
      // A grant is signed with the store's keys as the approver; an unsigned one is refused.
      return runtime.grantBudget(
        target.workflow,
        threadId,
        { approver, extra, reason: options.reason },
        { model, models, onEvent },
      );
    },
  );
  // The run refused the grant (expired, or answered meanwhile) and still waits: a failure.
  const refused = outcome.status === "waiting" ? outcome.budgetRequest?.refusedAnswer : undefined;
  if (refused) {
    throw new GovernorError("APPROVAL_INVALID", `The grant was refused: ${refused}; the run still waits`, {
      threadId,
      approver,
    });
  }
  return outcome;
}

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new GovernorError("CONFIG_INVALID", `${flag} must be a positive number, got "${value}"`);
  return parsed;
}
