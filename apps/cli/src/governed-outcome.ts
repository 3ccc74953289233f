import { type GovernorEvent, maskText, type RunOutcome, type Workflow } from "@governor/core";
import { formatOutcome, lastModelText } from "./format-events.js";
import { paint, type Terminal } from "./terminal.js";

/** What became of one governed call a run proposed. */
export interface GovernedCall {
  readonly tool: string;
  /** executed, failed, denied, rejected, refused or precondition-failed end the call; the rest mean it is still on its way. */
  status:
    | "executed"
    | "failed"
    | "denied"
    | "rejected"
    | "refused"
    | "precondition-failed"
    | "allowed"
    | "approved";
  detail?: string;
}

const SETTLED = new Set<GovernedCall["status"]>([
  "executed",
  "failed",
  "denied",
  "rejected",
  "refused",
  "precondition-failed",
]);

/**
 * Follows a run's governed calls through its events (precondition, policy, approval, action),
 * so its summary can say what happened to the action it governs, not only what the model said
 * last: a run whose precondition failed still "completes", and its model may still say
 * "Paying.".
 */
export class GovernedCallLog {
  readonly calls: GovernedCall[] = [];

  /** Records what an event says about a governed call; other events are ignored. */
  record(event: GovernorEvent): void {
    if (event.type === "refused-tool") this.#settle(event.tool, "refused", event.reason);
    else if (event.type === "precondition" && !event.ok) {
      this.#settle(event.tool, "precondition-failed", event.reason);
    } else if (event.type === "policy" && event.effect === "deny") {
      const ids = event.policyIds.length ? ` [${event.policyIds.join(", ")}]` : "";
      this.#settle(event.tool, "denied", `${event.reasons.join("; ")}${ids}`);
    } else if (event.type === "policy" && event.effect === "allow") {
      this.#open(event.tool).status = "allowed";
    } else if (event.type === "approval") {
      if (event.approved) this.#open(event.tool).status = "approved";
      else this.#settle(event.tool, "rejected", `by ${event.approver}`);
    } else if (event.type === "action") {
      this.#settle(event.tool, event.ok ? "executed" : "failed", event.ok ? undefined : event.error);
    }
  }

  /** The call to `tool` still on its way, or a new one when every earlier call is settled. */
  #open(tool: string): GovernedCall {
    const open = this.calls.findLast((call) => call.tool === tool && !SETTLED.has(call.status));
    if (open) return open;
    const call: GovernedCall = { tool, status: "allowed" };
    // A call first seen here has passed nothing yet: its status is set by the caller.
    this.calls.push(call);
    return call;
  }

  #settle(tool: string, status: GovernedCall["status"], detail?: string): void {
    const call = this.#open(tool);
    call.status = status;
    call.detail = detail;
  }
}

const WORDS: Record<GovernedCall["status"], string> = {
  executed: "executed",
  failed: "failed",
  denied: "denied by policy",
  rejected: "rejected",
  refused: "refused",
  "precondition-failed": "precondition failed",
  allowed: "allowed but not run",
  approved: "approved but not run",
};

/**
 * The line a completed run ends with: green "✓ completed" only when a governed action was
 * executed; otherwise yellow, saying that no governed action happened and why (precondition
 * failed, denied by policy, rejected, refused, or not reached). Each call's outcome is listed,
 * then the model's last words.
 */
export function completedLine(
  terminal: Terminal,
  workflow: Workflow,
  log: GovernedCallLog,
  said: string | undefined,
  /** True when this process saw only the run's continuation (after an answer, a grant, a crash). */
  resumed = false,
): string {
  // An agent loop may read the same records many times: alike outcomes are counted, not repeated.
  const counted = new Map<string, number>();
  for (const call of log.calls) {
    const text = `${call.tool} ${WORDS[call.status]}${call.detail ? ` (${maskText(call.detail)})` : ""}`;
    counted.set(text, (counted.get(text) ?? 0) + 1);
  }
  const outcomes = [...counted].map(([text, count]) => (count > 1 ? `${text} ×${count}` : text));
  const seen = new Set(log.calls.map((call) => call.tool));
  // A resumed run may have executed an action before this process saw it: "not reached" is
  // said only of a run seen from its start.
  const unreached = resumed ? [] : actionTools(workflow).filter((tool) => !seen.has(tool));
  outcomes.push(...unreached.map((tool) => `${tool} not reached`));
  const answer = said ? ` · final answer: "${maskText(said)}"` : "";
  const listed = outcomes.length ? ` · ${outcomes.join(", ")}` : "";
  if (log.calls.some((call) => call.status === "executed")) {
    return `   ${paint(terminal, "green", "✓ completed")}${listed}${answer}`;
  }
  if (resumed) {
    const headline = "completed, but no governed action was taken after it resumed";
    return `   ${paint(terminal, "yellow", `■ ${headline}`)}${listed}${answer}`;
  }
  const headline = outcomes.length
    ? "completed, but no governed action was taken"
    : "completed (no governed action)";
  return `   ${paint(terminal, "yellow", `■ ${headline}`)}${listed}${answer}`;
}

/** The tools the workflow's action nodes call: what "not reached" is said of. */
function actionTools(workflow: Workflow): string[] {
  const tools = Object.values(workflow.nodes).flatMap((node) =>
    node.kind === "action" && typeof node.tool === "string" ? [node.tool] : [],
  );
  return [...new Set(tools)];
}

/**
 * The lines a run's outcome ends with: the completed line above for a completed run, the
 * usual failure or waiting lines otherwise.
 */
export function outcomeLines(
  terminal: Terminal,
  workflow: Workflow,
  log: GovernedCallLog,
  outcome: RunOutcome,
  resumed = false,
): string[] {
  // A continuation that decided no call (a budget grant letting the last reply through) says
  // nothing about the calls before it: the plain summary, as before.
  if (outcome.status !== "completed" || (resumed && !log.calls.length))
    return formatOutcome(terminal, outcome);
  return [completedLine(terminal, workflow, log, lastModelText(outcome.state.messages), resumed)];
}
