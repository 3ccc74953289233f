import { supplyChainSample } from "@governor/sample-supply-chain";
import { describe, expect, test } from "vitest";
import { killRequestOf } from "../src/kill-form.js";

// The kill form names the agents a registered workflow runs as the way `governor kill --agent`
// does (core's workflowAgents): the workflow's agent and each agent node's own.
const workflows = [
  {
    name: supplyChainSample.workflow.name,
    source: "sample:supply-chain",
    workflow: supplyChainSample.workflow,
  },
];

describe("the kill form's agent", () => {
  test("an agent node's own agent can be stopped, as from the CLI", () => {
    expect(killRequestOf({ agent: "specialist", reason: "incident 42" }, workflows)).toEqual({
      agent: "specialist",
      reason: "incident 42",
    });
    expect(killRequestOf({ agent: "supply-chain", reason: "incident 42" }, workflows).agent).toBe(
      "supply-chain",
    );
  });

  test("an agent no registered workflow runs as is refused, naming every agent there is", () => {
    expect(() => killRequestOf({ agent: "specalist", reason: "incident 42" }, workflows)).toThrow(
      /agents: diagnostic, executor, specialist, supply-chain/,
    );
  });
});
