import type { Workflow } from "../workflow/define-workflow.js";

/** LangGraph's own default, kept as the floor for workflows without loops. */
const FLOOR = 100;
/** Supersteps one agent turn can take in one invocation: turn, checks, gate, tools, approval, tools. */
const STEPS_PER_TURN = 6;

/**
 * The recursion limit a run of `workflow` needs. Every cycle passes through an agent (what
 * `validate()` accepts) and every lap costs that agent a turn, so a run takes at most one
 * lap of every other node per turn, plus each turn's own steps. The real bounds are the
 * agents' `maxTurns` and the run's step budget, which end a run with a clear code; LangGraph's
 * limit must never fire before them (GRAPH_RECURSION_LIMIT does not say which loop ran long).
 */
export function recursionLimitFor(workflow: Workflow): number {
  const nodes = Object.keys(workflow.nodes).length;
  let turns = 0;
  for (const node of Object.values(workflow.nodes)) {
    if (node?.kind === "agent" && Number.isInteger(node.maxTurns)) turns += node.maxTurns + 1;
  }
  return Math.max(FLOOR, nodes * (turns + 1) + turns * STEPS_PER_TURN);
}
