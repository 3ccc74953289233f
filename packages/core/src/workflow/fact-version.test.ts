import { RulePolicyEngine } from "@governor/policy";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { withFactVersion } from "../gateway/versioned-policy.js";
import { defineWorkflow, END, START, type WorkflowDefinition } from "./define-workflow.js";
import { workflowFactVersion } from "./fact-version.js";

const policy = new RulePolicyEngine([{ id: "ok", effect: "permit", reason: "ok" }]);

function workflowWith(
  gate: Partial<Extract<WorkflowDefinition["nodes"][string], { kind: "gate" }>>,
  version?: string,
) {
  return defineWorkflow({
    name: "facts",
    version,
    state: z.object({ request: z.string() }),
    agent: { id: "a", scopes: [] },
    tools: [],
    policy,
    nodes: { gate: { kind: "gate", guards: "act", ...gate }, note: { kind: "task", run: () => ({}) } },
    edges: [
      [START, "note"],
      ["note", END],
    ],
  });
}

describe("the fact version approvals are bound to", () => {
  it("is stable for the same fact code and changes when a gate's fact computation changes", () => {
    const v1 = workflowFactVersion(workflowWith({ context: async () => ({ flown: true }) }));
    expect(workflowFactVersion(workflowWith({ context: async () => ({ flown: true }) }))).toBe(v1);
    expect(workflowFactVersion(workflowWith({ context: async () => ({ flown: false }) }))).not.toBe(v1);
    expect(workflowFactVersion(workflowWith({ facts: async () => ({ context: { flown: true } }) }))).not.toBe(
      v1,
    );
    expect(
      workflowFactVersion(
        workflowWith({
          context: async () => ({ flown: true }),
          resource: () => ({ type: "Order", id: "1" }),
        }),
      ),
    ).not.toBe(v1);
  });

  it("is the workflow's declared version when there is one: it covers code the callbacks call, in any build", () => {
    const gate = { context: () => ({}) };
    expect(workflowFactVersion(workflowWith(gate, "2026.12.1"))).not.toBe(
      workflowFactVersion(workflowWith(gate, "2026.12.2")),
    );
    // The same release loaded from sources or from compiled output: other text, one version.
    expect(workflowFactVersion(workflowWith({ context: () => ({ a: 1 }) }, "2026.12.1"))).toBe(
      workflowFactVersion(workflowWith({ context: () => ({ a: 2 - 1 }) }, "2026.12.1")),
    );
  });

  it("is added to the engine's version and to every decision, leaving the engine's other methods reachable", async () => {
    const versioned = withFactVersion(policy, "facts:abc");
    expect(versioned.version).toBe(`${policy.version}+facts:abc`);
    const request = {
      principal: { id: "p", kind: "agent", agentId: "a", scopes: [] },
      action: "x",
      args: {},
      context: {},
    } as const;
    expect((await versioned.decide(request)).policyVersion).toBe(`${policy.version}+facts:abc`);
    const explained = await versioned.explain?.(request);
    expect(explained?.decision.policyVersion ?? versioned.version).toBe(`${policy.version}+facts:abc`);
  });
});
