import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  defineTool,
  defineWorkflow,
  END,
  GovernorRuntime,
  type GovernorRuntimeOptions,
  pass,
  type RunBudget,
  START,
  type Workflow,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import type { ScenarioView, ScriptedReply } from "@governor/models";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { z } from "zod";

/**
 * A billing desk for execution-control tests: a task prepares, the model proposes a charge,
 * check, gate and action run it, and the model writes the reply. A run takes seven steps:
 * prepare, propose, has_call, check, gate, charge, respond (the policy never asks for approval).
 */

export const PROPOSE = "You work the billing desk";
export const REPLY = "Write the reply to the customer";

export const deskState = z.object({ request: z.string(), reply: z.string().optional() });

/** Real side effects, counted: every charge the handler made, and every model answer by model. */
export interface Effects {
  readonly charges: { account: string; amount: number }[];
  readonly answers: string[];
}

export function newEffects(): Effects {
  return { charges: [], answers: [] };
}

export function chargeTool(effects: Effects, onCharge?: () => unknown) {
  return defineTool({
    name: "charge",
    description: "Charge an account",
    input: z.object({ account: z.string(), amount: z.number().positive() }).strict(),
    scopes: ["billing:write"],
    risk: "write",
    handler: async (args) => {
      effects.charges.push(args);
      // Awaited: an operator's kill through a network store is written before the charge returns.
      await onCharge?.();
      return { chargeId: `CH-${effects.charges.length}`, ...args };
    },
  });
}

export const permitCharges = new RulePolicyEngine([
  { id: "desk-may-charge", effect: "permit", actions: ["charge"], reason: "the desk may charge" },
]);

/** A scripted model that notes each answer under its own name, so a test sees which model answered. */
export function deskModel(name: string, effects: Effects, args = { account: "acct-1", amount: 5 }) {
  const noted = (reply: ScriptedReply) => (_view: ScenarioView) => {
    effects.answers.push(name);
    return reply;
  };
  return new ScenarioChatModel(
    defineScenario({
      name,
      turns: [
        {
          when: { system: new RegExp(PROPOSE) },
          reply: noted({ text: "Charging.", toolCalls: [{ name: "charge", args }] }),
        },
        { when: { system: new RegExp(REPLY) }, reply: noted({ text: `Done (${name}).` }) },
      ],
    }),
  );
}

export interface DeskOptions {
  readonly effects: Effects;
  readonly budget?: RunBudget;
  readonly agent?: string;
  /** Runs in the first node: flip a kill switch, advance a clock. */
  readonly prepare?: () => void;
  /** Runs inside the charge tool's handler, after the charge. */
  readonly onCharge?: () => unknown;
  readonly name?: string;
}

export function billingDesk(options: DeskOptions): Workflow {
  return defineWorkflow({
    name: options.name ?? "billing-desk",
    state: deskState,
    agent: { id: options.agent ?? "billing", scopes: ["billing:write"] },
    approvers: defineIdentity({
      roles: { "billing-lead": ["approvals:billing"], worker: ["work:do"] },
      agents: { billing: { roles: ["worker"] } },
      approvers: { "billing:lead": { roles: ["billing-lead"] } },
    }),
    tools: [chargeTool(options.effects, options.onCharge)],
    policy: permitCharges,
    budget: options.budget,
    nodes: {
      prepare: {
        kind: "task",
        run: () => {
          options.prepare?.();
          return {};
        },
      },
      propose: { kind: "model", instructions: PROPOSE, input: (s) => s.request, tools: ["charge"] },
      has_call: {
        kind: "route",
        branches: ["charge", "answer"],
        decide: (_state, proposal) => (proposal ? "charge" : "answer"),
      },
      check: { kind: "precondition", guards: "charge", check: () => pass() },
      gate: { kind: "gate", guards: "charge" },
      approve: { kind: "approval", guards: "charge" },
      charge: { kind: "action", tool: "charge" },
      respond: { kind: "model", instructions: REPLY, onReply: (_state, text) => ({ reply: text }) },
    },
    edges: [
      [START, "prepare"],
      ["prepare", "propose"],
      ["propose", "has_call"],
      ["has_call", "check", "charge"],
      ["has_call", "respond", "answer"],
      ["check", "gate", "pass"],
      ["check", "respond", "fail"],
      ["gate", "charge", "allow"],
      ["gate", "respond", "deny"],
      ["gate", "approve", "approval"],
      ["approve", "charge", "approved"],
      ["approve", "respond", "rejected"],
      ["charge", "respond"],
      ["respond", END],
    ],
  });
}

/** Runtimes on a fresh temp dir, closed and removed by `cleanup()`. */
export function tempRuntimes() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-control-"));
  const opened: GovernorRuntime[] = [];
  return {
    dir,
    open(options: Omit<GovernorRuntimeOptions, "dir"> = {}): GovernorRuntime {
      const runtime = new GovernorRuntime({ dir, ...options });
      opened.push(runtime);
      return runtime;
    },
    cleanup(): void {
      for (const runtime of opened.splice(0)) {
        try {
          runtime.close();
        } catch {
          // already closed
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
