import { canonicalId, workflowAgents } from "@governor/core";
import { GovernorError } from "@governor/errors";
import type { ConsoleWorkflow } from "./console-options.js";

const MAX_REASON = 500;

/** A kill or unkill the controls form asked for: the agent (none: every run) and the reason. */
export interface KillRequest {
  readonly agent?: string;
  readonly reason: string;
}

/**
 * Reads the kill form. A per-agent switch must name an agent some registered workflow runs as
 * (its own agent or an agent node's, as `governor kill --agent` checks):
 * the store cannot know agents that only exist in code, and a typo would engage a switch that
 * stops nothing while the operator believes the runs are held (fail open).
 *
 * @throws {GovernorError} CONFIG_INVALID for a missing or over-long reason, a field that is not
 *   text, or an agent no registered workflow has (the message names the ones that exist).
 */
export function killRequestOf(
  form: Record<string, unknown>,
  workflows: readonly ConsoleWorkflow[],
): KillRequest {
  const reason = textField(form, "reason").trim();
  if (!reason) {
    throw new GovernorError("CONFIG_INVALID", "A kill switch needs a reason: say why the runs must stop", {
      field: "reason",
    });
  }
  if (reason.length > MAX_REASON || /\p{Cc}/u.test(reason)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The reason must be one line of at most ${MAX_REASON} characters`,
      {
        field: "reason",
      },
    );
  }
  const agent = agentOf(form);
  if (agent === undefined) return { reason };
  const known = [...new Set(workflows.flatMap((w) => workflowAgents(w.workflow)))].sort();
  if (!known.includes(agent)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `No registered workflow runs as agent "${agent}", so a switch for it would stop nothing: ${known.length ? `agents: ${known.join(", ")}` : "no workflow is registered"}; leave the agent empty to stop every run`,
      { field: "agent", agent, known },
    );
  }
  return { agent, reason };
}

/**
 * The agent of an unkill form (none: the global switch). Not checked against the registered
 * workflows: a switch engaged from the CLI for any agent must stay releasable here.
 *
 * @throws {GovernorError} CONFIG_INVALID for a field that is not text.
 */
export function unkillAgentOf(form: Record<string, unknown>): string | undefined {
  return agentOf(form);
}

function agentOf(form: Record<string, unknown>): string | undefined {
  const raw = textField(form, "agent");
  if (raw.length > 200 || /\p{Cc}/u.test(raw)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "The agent must be an agent id (one line, at most 200 characters)",
      {
        field: "agent",
      },
    );
  }
  return raw.trim() === "" ? undefined : canonicalId(raw, "agent id");
}

/** A text field of a form; absent reads as "". A file upload or a repeated field is refused. */
function textField(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  if (value === undefined) return "";
  if (typeof value !== "string") {
    throw new GovernorError("CONFIG_INVALID", `The form field "${name}" must be given once, as text`, {
      field: name,
    });
  }
  return value;
}
