import { GovernorError } from "@governor/errors";
import type { AuditRecord } from "@governor/observability";
import type { GraphState } from "../graph/state-annotation.js";
import { normalizeEdge, type Workflow } from "../workflow/define-workflow.js";
import { loopNodes } from "./agent-loop-state.js";
import { handoffToolName } from "./handoff-tools.js";

/** A handoff into an agent that the journal vouches for: where it came from. */
export interface HandoffEntry {
  readonly from: string;
}

/**
 * How an agent's new visit began, checked against the audit journal: the handoff that sent
 * the run here (undefined when the agent was entered by one of the workflow's own edges).
 *
 * The route that sends a run to a handed-to agent is state, and a thread's state can be
 * edited (Studio, the API server), as can a fresh thread be started at any node with a
 * `Command({ goto })`. So a visit that claims a handoff must match a handoff that executed
 * on record and that no earlier visit used, and an agent that only handoffs lead to must
 * have been handed the run.
 *
 * @throws {GovernorError} ROUTE_FORGED when neither holds: nothing of the agent runs.
 */
export function checkHandoffEntry(
  workflow: Workflow,
  id: string,
  state: GraphState,
  journal: readonly AuditRecord[],
  /** This step: its own acceptance (written before an interrupt, seen again on re-run) is not an earlier one. */
  step: unknown,
): HandoffEntry | undefined {
  const from = Object.entries(workflow.nodes).find(
    ([source, node]) =>
      node?.kind === "agent" &&
      (node.handoffs ?? []).includes(id) &&
      state.governor.routes[loopNodes(source).tools] === `handoff:${id}`,
  )?.[0];
  if (from === undefined) {
    if (reachedOnlyByHandoff(workflow, id)) {
      throw new GovernorError(
        "ROUTE_FORGED",
        `Agent ${id} is reached only by a handoff, and no handoff sent the run here: nothing of it runs`,
        { node: id },
      );
    }
    return undefined;
  }
  const tool = handoffToolName(id);
  const executed = journal.filter(
    (record) => record.kind === "execution" && record.outcome === "executed" && record.tool === tool,
  ).length;
  const accepted = journal.filter(
    (record) =>
      record.kind === "identity" &&
      record.outcome === "handoff-accepted" &&
      record.node === id &&
      record.data.step !== step,
  ).length;
  if (executed <= accepted) {
    throw new GovernorError(
      "ROUTE_FORGED",
      `Agent ${id} was sent a handoff from ${from} that the audit journal does not show executed (${executed} on record, ${accepted} already taken): nothing of it runs`,
      { node: id, from, executed, accepted },
    );
  }
  return { from };
}

/** True when no workflow edge (only handoffs) leads to the agent. */
function reachedOnlyByHandoff(workflow: Workflow, id: string): boolean {
  return !workflow.edges.map(normalizeEdge).some((edge) => edge.to === id);
}
