import {
  defineTool,
  defineWorkflow,
  GovernorError,
  type GovernorRuntime,
  type Workflow,
} from "@governor/core";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { agentDesk, deskModel } from "./support/agent-desk.js";
import { executions, type Harness, harness } from "./support/harness.js";

/**
 * A handoff is recognised by its tool name (`handoff_to_<agent>`). A workflow tool of the
 * author's own that happens to carry that prefix (here an email to the auditor, a real
 * effect) must be either refused before any run or treated as the tool it is, never mistaken
 * for a handoff after it acted.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

/** The desk, plus a write tool named `handoff_to_auditor` that emails the auditor (no agent of that name). */
function deskWithLookalike(sent: string[]): Workflow {
  const base = agentDesk().workflow as unknown as {
    tools: unknown[];
    nodes: Record<string, { tools: string[]; govern: Record<string, unknown> }>;
  } & Record<string, unknown>;
  const notify = defineTool({
    name: "handoff_to_auditor",
    description: "Email the auditor a task",
    input: z.object({ task: z.string() }),
    scopes: [],
    risk: "write",
    handler: ({ task }) => {
      sent.push(task);
      return { sent: true };
    },
  });
  const desk = base.nodes.desk as { tools: string[]; govern: Record<string, unknown> };
  const definition = {
    ...(base as Record<string, unknown>),
    tools: [...base.tools, notify] as never,
    policy: new RulePolicyEngine([
      {
        id: "all",
        effect: "permit",
        actions: ["read_account", "post_credit", "handoff_to_auditor"],
        reason: "ok",
      },
    ]),
    nodes: {
      ...base.nodes,
      desk: {
        ...desk,
        tools: [...desk.tools, "handoff_to_auditor"],
        govern: { ...desk.govern, handoff_to_auditor: { sufficient: { reason: "an email to the auditor" } } },
      },
    },
  };
  return defineWorkflow(definition as never) as unknown as Workflow;
}

describe("agent loop: a tool that looks like a handoff", () => {
  // HOLE (reported to the lead): handoffTarget() treats every tool whose name starts with
  // "handoff_to_" as a handoff. A workflow tool so named (no agent "auditor" exists) passes
  // validate(), runs (the email is sent), and then the tools node routes to "handoff:auditor",
  // which is no edge: the run crashes with TOOL_FAILED ("Branch condition returned unknown or
  // null destination") right after the effect, and "one handoff per turn" refuses a second
  // such email. Expected (once fixed): validate() refuses the name before any run (typed
  // error, nothing sent), or the tool is treated as the tool it is and the run completes.
  it("HO-14 a workflow tool named handoff_to_auditor is refused before any run, or runs as a tool and the run completes", async () => {
    const sent: string[] = [];
    const model = deskModel([{ toolCalls: [{ name: "handoff_to_auditor", args: { task: "look at A-1" } }] }]);

    const outcome = await Promise.resolve()
      .then(() =>
        runtime.start(deskWithLookalike(sent), { request: "tell the auditor" }, { model: model.model }),
      )
      .catch((error: unknown) => {
        expect(error).toBeInstanceOf(GovernorError);
        expect(sent).toEqual([]);
        return undefined;
      });

    if (outcome) {
      expect(outcome.status).toBe("completed");
      expect(sent).toEqual(["look at A-1"]);
      expect(executions(runtime, outcome.threadId)).toEqual(["handoff_to_auditor:executed"]);
    }
  });
});
