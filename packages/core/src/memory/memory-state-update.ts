import { formatIssues, GovernorError } from "@governor/errors";
import type { NodeServices } from "../graph/node-scope.js";

/**
 * A memory node's write to the author's state fields, checked against the state schema before
 * it reaches the checkpoint (as a task's update is): a field of the wrong type fails here,
 * naming the node and the field.
 *
 * @throws {GovernorError} STATE_UPDATE_INVALID when the update does not match the schema.
 */
export function checkedStateUpdate(
  services: Pick<NodeServices, "workflow">,
  node: string,
  update: Record<string, unknown>,
): Record<string, unknown> {
  if (Object.keys(update).length === 0) return update;
  const parsed = services.workflow.state.partial().strict().safeParse(update);
  if (!parsed.success) {
    throw new GovernorError(
      "STATE_UPDATE_INVALID",
      `memory node ${node} wrote state its schema refuses: ${formatIssues(parsed.error.issues, "(update)")}`,
      { node, issues: parsed.error.issues },
    );
  }
  return parsed.data as Record<string, unknown>;
}
