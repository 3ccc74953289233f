import { GovernorError } from "@governor/errors";

/**
 * Why a control ended the run. Kept in Governor's state channel when a node decides it
 * (a human declined more budget, the loop guard gave up), so the checkpoint itself says
 * how the run ended; the next node boundary turns it into the run's error.
 */
export interface RunStop {
  readonly code: "BUDGET_EXCEEDED" | "LOOP_DETECTED" | "KILLED" | "AGENT_TURN_LIMIT";
  readonly message: string;
  /** The node that decided. */
  readonly node: string;
  /** Who decided, when a person did. */
  readonly by?: string;
}

export function stopError(stop: RunStop): GovernorError {
  return new GovernorError(stop.code, stop.message, { node: stop.node, by: stop.by });
}
