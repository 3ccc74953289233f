import { z } from "zod";
import { type AnyTool, defineTool } from "../tools/define-tool.js";
import type { Workflow } from "../workflow/define-workflow.js";

/** The tool an agent calls to hand the run to another agent node. */
export function handoffToolName(target: string): string {
  return `handoff_to_${target}`;
}

/**
 * The agent a call hands the run to, when `tool` is one of `node`'s handoff tools; undefined
 * for any other tool. Decided by the node's declared handoffs, never by a name's prefix: a
 * workflow's own tool may be called `handoff_to_…` (validate() refuses only one that collides
 * with a declared handoff).
 */
export function handoffTarget(
  node: { readonly handoffs?: readonly string[] },
  tool: string,
): string | undefined {
  return (node.handoffs ?? []).find((target) => handoffToolName(target) === tool);
}

const handoffInput = z.object({
  task: z.string().max(4000).optional().describe("What the other agent should do, in a sentence or two"),
});

/**
 * One tool per agent node that some agent may hand work to. A handoff is a governed call
 * like any other: it passes identity, contract and the policy (action `handoff_to_<id>`), may
 * need a human, and is recorded exactly once; only then does the run move to that agent.
 * Its handler acts on nothing: the move is the graph's conditional edge.
 */
export function handoffTools(workflow: Workflow): AnyTool[] {
  const targets = new Set<string>();
  for (const node of Object.values(workflow.nodes)) {
    if (node?.kind === "agent") for (const target of node.handoffs ?? []) targets.add(target);
  }
  return [...targets].map((target) =>
    defineTool({
      name: handoffToolName(target),
      description: `Hand the conversation to the ${target} agent, with the task it should take on`,
      input: handoffInput,
      scopes: [],
      risk: "write",
      idempotent: true,
      handler: ({ task }) => ({ handedOffTo: target, task: task ?? null }),
    }),
  );
}
