import type { ModelNode, Workflow } from "@governor/core";
import { createRefundWorkflow } from "@governor/sample-refund";

type RefundState = Record<string, unknown>;

/**
 * The refund workflow's own model steps and tool, read from its definition so the bare
 * graph asks the model exactly what the governed one asks: same system prompts, same
 * human message, same tool schema.
 */
export function refundDefinitions() {
  const workflow: Workflow = createRefundWorkflow();
  const tool = workflow.tools.find((t) => t.name === "issue_refund");
  if (!tool) throw new Error("The refund workflow declares no issue_refund tool");
  return { propose: modelStep(workflow, "propose"), respond: modelStep(workflow, "respond"), tool };
}

function modelStep(workflow: Workflow, id: string): ModelNode<RefundState> {
  const node = workflow.nodes[id];
  if (node?.kind !== "model") throw new Error(`The refund workflow's ${id} is not a model step`);
  return node as ModelNode<RefundState>;
}

/** A model step's system prompt for this state. */
export function instructionsOf(step: ModelNode<RefundState>, state: RefundState): string {
  return typeof step.instructions === "function" ? step.instructions(state) : step.instructions;
}
