import { defineWorkflow, END, type RunBudget, START, type Workflow } from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { z } from "zod";

/**
 * Three model steps in a row, each adding a long customer message, so every call's prompt
 * is larger than the last: draft, refine, finalize. No tools: only tokens and cost matter.
 */

const PARAGRAPH =
  "The customer writes at length about the order, the delivery, the weather and the courier. ".repeat(3);

export function essayWorkflow(budget?: RunBudget): Workflow {
  return defineWorkflow({
    name: "essay",
    state: z.object({ topic: z.string(), final: z.string().optional() }),
    agent: { id: "writer", scopes: [] },
    // Budget grants are signed by an approver holding budgets:extend.
    approvers: defineIdentity({
      roles: { "budget-owner": ["budgets:extend"], worker: ["work:do"] },
      agents: { writer: { roles: ["worker"] } },
      approvers: { alice: { roles: ["budget-owner"] } },
    }),
    tools: [],
    policy: new RulePolicyEngine([]),
    budget,
    nodes: {
      draft: { kind: "model", instructions: "Draft an answer.", input: (s) => `${s.topic} ${PARAGRAPH}` },
      refine: { kind: "model", instructions: "Refine the answer.", input: () => PARAGRAPH },
      finalize: {
        kind: "model",
        instructions: "Finalize the answer.",
        input: () => PARAGRAPH,
        onReply: (_state, text) => ({ final: text }),
      },
    },
    edges: [
      [START, "draft"],
      ["draft", "refine"],
      ["refine", "finalize"],
      ["finalize", END],
    ],
  });
}

/** A scripted writer that notes its name in `answers` each time it is called. */
export function writer(name: string, answers: string[]): ScenarioChatModel {
  return new ScenarioChatModel(
    defineScenario({
      name,
      turns: [
        {
          reply: () => {
            answers.push(name);
            return { text: `${name} says: a fine answer of moderate length.` };
          },
        },
      ],
    }),
  );
}
