import {
  defineTool,
  defineWorkflow,
  END,
  type RunBudget,
  START,
  type ToolDefinition,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { z } from "zod";
import { type AttackCall, type Attacker, attacker } from "./attacker.js";
import { guardedCall } from "./guarded-call.js";

/**
 * A billing desk for outages, loops, budgets and the kill switch: a task prepares, then one
 * or more rounds in which the model proposes a charge that a check, a gate and an action
 * run, then the model writes a reply. The payments service can hang or fail on demand.
 */

export const CHARGE_MARKER = "You work the billing desk";
export const REPLY_MARKER = "Write the reply to the customer";

/** What the payments service really did: every handler call, and every charge that went through. */
export interface PaymentsService {
  calls: number;
  readonly charges: { account: string; amount: number }[];
}

type Resilience = Partial<
  Pick<ToolDefinition, "idempotent" | "timeoutMs" | "retry" | "circuitBreaker" | "fallback">
>;

export interface ChargeDeskOptions {
  /** Proposal rounds in one run. Default: 1. */
  readonly rounds?: number;
  /** The charge tool's declared resilience. */
  readonly resilience?: Resilience;
  /** The service hangs on every call, or fails its first `failures` calls. */
  readonly behaviour?: { readonly hang?: boolean; readonly failures?: number };
  readonly budget?: RunBudget;
  /** Runs in the first node: flip a kill switch, advance a clock. */
  readonly prepare?: () => void;
  /** Runs after a charge is committed, before the run records it: a place to crash. */
  readonly afterCharge?: () => void;
  /** Declares `charge_backup`, needing these scopes, as a tool the charge may fall back to. */
  readonly backupScopes?: readonly string[];
}

export const chargeState = z.object({
  request: z.string(),
  status: z.enum(["paid", "failed", "escalated", "refused"]).optional(),
  reply: z.string().optional(),
});

type ChargeState = z.output<typeof chargeState>;

const chargeInput = z
  .object({ account: z.string().regex(/^acct-\d+$/), amount: z.number().int().positive() })
  .strict();

export const chargePolicy = new RulePolicyEngine([
  {
    id: "desk-may-charge",
    effect: "permit",
    actions: ["charge", "charge_backup"],
    reason: "the desk charges",
  },
]);

export function chargeDesk(options: ChargeDeskOptions = {}): {
  workflow: Workflow;
  service: PaymentsService;
  backup: PaymentsService;
} {
  const service: PaymentsService = { calls: 0, charges: [] };
  const backup: PaymentsService = { calls: 0, charges: [] };
  const rounds = options.rounds ?? 1;
  const behaviour = options.behaviour ?? {};
  const charge = defineTool({
    name: "charge",
    description: "Charge a customer's account",
    input: chargeInput,
    scopes: ["billing:write"],
    risk: "write",
    ...options.resilience,
    handler: async (args) => {
      service.calls++;
      if (behaviour.hang) return new Promise<never>(() => {});
      if (service.calls <= (behaviour.failures ?? 0)) throw new Error("the payments service is down");
      service.charges.push(args);
      return { chargeId: `CH-${service.charges.length}`, ...args };
    },
  });
  const tools = [charge];
  if (options.backupScopes) {
    tools.push(
      defineTool({
        name: "charge_backup",
        description: "Charge through the backup processor",
        input: chargeInput,
        scopes: [...options.backupScopes],
        risk: "write",
        handler: (args) => {
          backup.calls++;
          backup.charges.push(args);
          return { chargeId: `BK-${backup.charges.length}`, ...args };
        },
      }),
    );
  }

  const status = (value: NonNullable<ChargeState["status"]>): WorkflowNode<ChargeState> => ({
    kind: "task",
    run: () => ({ status: value }),
  });
  let nodes: Record<string, WorkflowNode<ChargeState>> = {
    prepare: {
      kind: "task",
      run: () => {
        options.prepare?.();
        return {};
      },
    },
    failed: status("failed"),
    escalated: status("escalated"),
    refused: status("refused"),
    respond: { kind: "model", instructions: REPLY_MARKER, onReply: (_state, text) => ({ reply: text }) },
  };
  const edges: WorkflowEdge[] = [
    [START, "prepare"],
    ["prepare", "propose1"],
    ["failed", "respond"],
    ["escalated", "respond"],
    ["refused", "respond"],
    ["respond", END],
  ];
  for (let round = 1; round <= rounds; round++) {
    const next = round < rounds ? `propose${round + 1}` : "respond";
    const guarded = guardedCall<ChargeState>({
      id: `charge${round}`,
      tool: "charge",
      onResult: () => {
        options.afterCharge?.();
        return { status: "paid" as const };
      },
      next,
      refused: "refused",
      failed: "failed",
      escalated: "escalated",
    });
    nodes = {
      ...nodes,
      [`propose${round}`]: {
        kind: "model",
        instructions: CHARGE_MARKER,
        input: (state) => (round === 1 ? state.request : `Round ${round}: anything else to charge?`),
        tools: ["charge"],
      },
      [`route${round}`]: {
        kind: "route",
        branches: ["charge", "answer"],
        decide: (_state, proposal) => (proposal ? "charge" : "answer"),
      },
      ...guarded.nodes,
    };
    edges.push(
      [`propose${round}`, `route${round}`],
      [`route${round}`, `charge${round}_check`, "charge"],
      [`route${round}`, next, "answer"],
      ...guarded.edges,
    );
  }
  const workflow = defineWorkflow({
    name: "charge-desk",
    state: chargeState,
    agent: { id: "billing", scopes: ["billing:write"] },
    approvers: defineIdentity({
      roles: { approver: ["approvals:billing"], worker: ["work:do"] },
      agents: { billing: { roles: ["worker"] } },
      approvers: { "billing:lead": { roles: ["approver"] } },
    }),
    tools,
    policy: chargePolicy,
    budget: options.budget,
    nodes,
    edges,
  });
  return { workflow, service, backup };
}

/**
 * A model that proposes the charges in `proposals` one per proposing step (the last one
 * again when they run out); `onPropose` runs as it answers, e.g. to flip a kill switch.
 */
export function charging(proposals: readonly AttackCall["args"][], onPropose?: () => void): Attacker {
  let turn = 0;
  return attacker("charger", [
    {
      when: { system: new RegExp(CHARGE_MARKER) },
      reply: () => {
        onPropose?.();
        const args = proposals[Math.min(turn++, proposals.length - 1)] ?? {};
        return { text: "Charging.", toolCalls: [{ name: "charge", args }] };
      },
    },
  ]);
}
