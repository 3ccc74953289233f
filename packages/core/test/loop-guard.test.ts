import {
  defineWorkflow,
  END,
  type GovernorRuntime,
  pass,
  type RunBudget,
  START,
  type WorkflowEdge,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  chargeTool,
  type Effects,
  newEffects,
  PROPOSE,
  permitCharges,
  tempRuntimes,
} from "./support/billing-desk.js";

/**
 * Two proposal rounds in one run: the model is asked twice, and each proposal goes through
 * its own check, gate and action. A model stuck in a loop proposes the same charge twice.
 */
function twoRounds(effects: Effects, budget?: RunBudget) {
  const round = (n: number) => ({
    [`propose${n}`]: {
      kind: "model" as const,
      instructions: PROPOSE,
      input: () => `round ${n}`,
      tools: ["charge"],
    },
    [`route${n}`]: {
      kind: "route" as const,
      branches: ["charge", "answer"],
      decide: (_state: unknown, proposal: unknown) => (proposal ? "charge" : "answer"),
    },
    [`check${n}`]: { kind: "precondition" as const, guards: `charge${n}`, check: () => pass() },
    [`gate${n}`]: { kind: "gate" as const, guards: `charge${n}` },
    [`approve${n}`]: { kind: "approval" as const, guards: `charge${n}` },
    [`charge${n}`]: { kind: "action" as const, tool: "charge" },
  });
  const edges = (n: number, next: string): WorkflowEdge[] => [
    [`propose${n}`, `route${n}`],
    [`route${n}`, `check${n}`, "charge"],
    [`route${n}`, next, "answer"],
    [`check${n}`, `gate${n}`, "pass"],
    [`check${n}`, next, "fail"],
    [`gate${n}`, `charge${n}`, "allow"],
    [`gate${n}`, `approve${n}`, "approval"],
    [`gate${n}`, next, "deny"],
    [`approve${n}`, `charge${n}`, "approved"],
    [`approve${n}`, next, "rejected"],
    [`charge${n}`, next],
  ];
  return defineWorkflow({
    name: "two-rounds",
    state: z.object({ request: z.string() }),
    agent: { id: "billing", scopes: ["billing:write"] },
    approvers: defineIdentity({
      roles: { approver: ["approvals:billing"], worker: ["work:do"] },
      agents: { billing: { roles: ["worker"] } },
      approvers: { "billing:lead": { roles: ["approver"] } },
    }),
    tools: [chargeTool(effects)],
    policy: permitCharges,
    budget,
    nodes: { ...round(1), ...round(2) },
    edges: [[START, "propose1"], ...edges(1, "propose2"), ...edges(2, END)],
  });
}

/** A model that proposes the charges in `proposals`, one per turn (the last one again when they run out). */
function proposing(...proposals: Record<string, unknown>[]) {
  let turn = 0;
  return new ScenarioChatModel(
    defineScenario({
      name: "looper",
      turns: [
        {
          reply: () => ({
            text: "Charging.",
            toolCalls: [{ name: "charge", args: proposals[Math.min(turn++, proposals.length - 1)] ?? {} }],
          }),
        },
      ],
    }),
  );
}

let temp: ReturnType<typeof tempRuntimes>;
let runtime: GovernorRuntime;
let effects: Effects;

beforeEach(() => {
  temp = tempRuntimes();
  runtime = temp.open();
  effects = newEffects();
});
afterEach(() => temp.cleanup());

const charge = { account: "acct-1", amount: 5 };

describe("loop guard", () => {
  it("refuses the second identical proposal: the charge runs once and the model is told why", async () => {
    const outcome = await runtime.start(
      twoRounds(effects),
      { request: "charge" },
      { model: proposing(charge) },
    );

    expect(outcome.status).toBe("completed");
    expect(effects.charges).toEqual([charge]);
    const loops = runtime.store.audit
      .list(outcome.threadId)
      .filter((record) => record.kind === "budget" && record.outcome === "loop-detected");
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({ node: "propose2", data: { tool: "charge", args: charge } });
    const toolReplies = (outcome.state.messages as { getType(): string; content: unknown }[])
      .filter((message) => message.getType() === "tool")
      .map((message) => String(message.content));
    expect(toolReplies.at(-1)).toContain("Refused: loop guard");
    expect(outcome.usage?.loopRefusals).toBe(1);
  });

  it("treats the same arguments in another key order as the same call", async () => {
    const outcome = await runtime.start(
      twoRounds(effects),
      { request: "charge" },
      {
        model: proposing(charge, { amount: 5, account: "acct-1" }),
      },
    );

    expect(outcome.status).toBe("completed");
    expect(effects.charges).toHaveLength(1);
  });

  it("lets a call with different arguments through", async () => {
    const outcome = await runtime.start(
      twoRounds(effects),
      { request: "charge" },
      {
        model: proposing(charge, { ...charge, amount: 6 }),
      },
    );

    expect(outcome.status).toBe("completed");
    expect(effects.charges.map((made) => made.amount)).toEqual([5, 6]);
  });

  it("allows as many identical calls as maxIdenticalCalls says", async () => {
    const outcome = await runtime.start(
      twoRounds(effects, { maxIdenticalCalls: 2 }),
      { request: "charge" },
      {
        model: proposing(charge),
      },
    );

    expect(outcome.status).toBe("completed");
    expect(effects.charges).toHaveLength(2);
  });

  it("stops the run with LOOP_DETECTED after maxLoopRefusals refusals", async () => {
    const outcome = await runtime.start(
      twoRounds(effects, { maxLoopRefusals: 1 }),
      { request: "charge" },
      {
        model: proposing(charge),
      },
    );

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("LOOP_DETECTED");
    expect((outcome.state.governor as { stop: unknown }).stop).toMatchObject({
      code: "LOOP_DETECTED",
      node: "propose2",
    });
    expect(effects.charges).toHaveLength(1);
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
  });
});
