import { GovernorError, type RunOutcome } from "@governor/core";
import { defaultApprover } from "../drive-run.js";
import { formatEvent, formatOutcome } from "../format-events.js";
import { loadSource } from "../load-target.js";
import { modelFor } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";

export interface BudgetCommandOptions {
  readonly extendTokens?: string;
  readonly extendCost?: string;
  readonly extendSteps?: string;
  readonly stop?: boolean;
  readonly approver?: string;
  readonly reason?: string;
  readonly dir?: string;
}

/**
 * `governor budget THREAD`: answers a run that stopped before overspending — grant more
 * (tokens, cost, steps) or stop it. The model is not called until someone answers.
 *
 * @throws {GovernorError} CONFIG_INVALID when neither an extension nor --stop is given.
 */
export async function budgetCommand(
  terminal: Terminal,
  threadId: string,
  options: BudgetCommandOptions,
): Promise<RunOutcome> {
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
  const approver = options.approver ?? defaultApprover();
  const answer = options.stop
    ? { decision: "stop" as const, approver, reason: options.reason }
    : { decision: "extend" as const, approver, extra, reason: options.reason };
  const runtime = openRuntime(options.dir);
  try {
    const run = runtime.getRun(threadId);
    const target = await loadSource(run.source);
    const model = await modelFor(target);
    terminal.out(
      paint(
        terminal,
        "bold",
        `Governor · ${run.workflow} · budget ${threadId}: ${options.stop ? "stop" : "extend"} as ${approver}`,
      ),
    );
    const outcome = await runtime.resume(target.workflow, threadId, answer, {
      model: model?.model,
      onEvent: (event) => terminal.out(formatEvent(terminal, event)),
    });
    for (const line of formatOutcome(terminal, outcome)) terminal.out(line);
    return outcome;
  } finally {
    runtime.close();
  }
}

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new GovernorError("CONFIG_INVALID", `${flag} must be a positive number, got "${value}"`);
  return parsed;
}
