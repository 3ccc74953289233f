import { defineWorkflow, workflowVersion } from "@governor/core";
import { createRefundWorkflow } from "@governor/sample-refund";
import { describe, expect, it } from "vitest";
import { z } from "zod";

describe("workflowVersion", () => {
  it("is the same for two copies of one workflow, and changes with what decides a run", () => {
    const base = createRefundWorkflow();
    expect(workflowVersion(createRefundWorkflow())).toBe(workflowVersion(base));
    // A reworded description is not a decision; an edge, a tool contract or the fact code is.
    expect(workflowVersion(defineWorkflow({ ...base, description: "reworded" }))).toBe(workflowVersion(base));
    const changes = [
      defineWorkflow({ ...base, edges: base.edges.slice(0, -1) }),
      defineWorkflow({ ...base, version: "refund-facts-2" }),
      defineWorkflow({
        ...base,
        tools: base.tools.map((tool) => ({ ...tool, input: z.object({ orderId: z.string() }) })),
      }),
      defineWorkflow({
        ...base,
        nodes: {
          ...base.nodes,
          has_proposal: { ...base.nodes.has_proposal, branches: ["refund", "answer", "x"] },
        } as never,
      }),
    ];
    for (const changed of changes) expect(workflowVersion(changed)).not.toBe(workflowVersion(base));
  });

  it("is not served stale when the same workflow's policy version changes", () => {
    const policy = {
      version: "v1",
      decide: () => ({ effect: "deny" as const, reasons: [], policyIds: [], policyVersion: "v1" }),
    };
    const workflow = defineWorkflow({ ...createRefundWorkflow(), policy });
    const first = workflowVersion(workflow);
    expect(workflowVersion(workflow)).toBe(first);
    policy.version = "v2";
    expect(workflowVersion(workflow)).not.toBe(first);
  });
});
