import {
  defineTool,
  defineWorkflow,
  END,
  fail,
  pass,
  START,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
} from "@governor/core";
import { type ApprovalBinding, defineIdentity, signApprovalDecision } from "@governor/identity";
import type { ScenarioView, ScriptedReply } from "@governor/models";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import type { PolicyEngine } from "@governor/policy";
import { RulePolicyEngine } from "@governor/policy";
import { z } from "zod";
import { type Attacker, CallIdModel } from "./attacker.js";

/**
 * An accounts desk run as a governed agent loop, for attacks on the loop itself. Every
 * handler writes to `effects`, so a test counts what really happened:
 *
 * - `read_account` (read): allowed;
 * - `post_credit` (write): allowed up to $100, a supervisor above, forbidden above $1,000,
 *   and its check refuses account "CLOSED-1";
 * - `close_account` (destructive): permitted by policy and held by the workflow's agent, but
 *   never offered to the desk, so only the offer check stands between a model and it.
 *
 * With `team`, the desk is a supervisor that may hand work to a letters `specialist` acting as
 * its own agent (`specialist`, scopes letters:write and accounts:read): it is offered
 * `post_credit` too, but holds no credits:write.
 */
type AgentNodeOf<TState> = Extract<WorkflowNode<TState>, { kind: "agent" }>;
/** How one tool is governed in an agent loop (the core's AgentToolGovernance). */
export type ToolGovernance = NonNullable<AgentNodeOf<DeskState>["govern"]>[string];

export const DESK_PROMPT = "You work the accounts desk";
export const SPECIALIST_PROMPT = "You are the letters specialist";
export const DESK_AGENT = "desk-agent";

export interface DeskEffects {
  readonly reads: string[];
  readonly credits: { account: string; amount: number }[];
  readonly closures: string[];
  readonly letters: string[];
}

export interface AgentDeskOptions {
  readonly maxTurns?: number;
  readonly maxCallsPerTurn?: number;
  /** Adds a "limit" edge from the desk to a task that records the run hit its bound. */
  readonly limitEdge?: boolean;
  /** Declares no approvers: nobody could answer an approval. */
  readonly noApprovers?: boolean;
  readonly policy?: PolicyEngine;
  /** Per-tool governance merged over the desk's own. */
  readonly govern?: Record<string, ToolGovernance>;
  /** Adds the letters specialist and the desk's handoff to it. */
  readonly team?: boolean;
  /** With `team`, the specialist may hand the run back to the desk. */
  readonly handBack?: boolean;
  /** The id the specialist acts as (default "specialist") and its scopes. */
  readonly specialist?: { readonly id?: string; readonly scopes?: readonly string[] };
  /** What `read_account` returns in `note` (e.g. an injected instruction). */
  readonly note?: string;
  /**
   * Places to die for crash tests: `onCredit` right after a credit's effect, inside its
   * handler (the effect journal has not recorded the outcome yet); `afterCredit` in the
   * credit's onResult, after the journal committed it and before the checkpoint.
   */
  readonly hooks?: {
    readonly onCredit?: (args: { account: string; amount: number }) => void;
    readonly afterCredit?: () => void;
  };
}

export interface DeskState {
  request: string;
  reply?: string;
  status?: string;
  [key: string]: unknown;
}

export const creditCheck: ToolGovernance["check"] = ({ call }) =>
  call.args.account === "CLOSED-1" ? fail("account CLOSED-1 is closed") : pass();

/** The desk's rules; `handoffs` decides handing work to the specialist. */
export function deskPolicy(handoffs: "permit" | "forbid" | "approval" = "permit"): RulePolicyEngine {
  return new RulePolicyEngine([
    { id: "reads", effect: "permit", actions: ["read_account"], reason: "reads are fine" },
    { id: "credits", effect: "permit", actions: ["post_credit"], reason: "the desk posts credits" },
    {
      id: "credits-over-100",
      effect: "require-approval",
      actions: ["post_credit"],
      when: (request) => Number(request.args.amount) > 100,
      reason: "credits over $100 need a supervisor",
    },
    {
      id: "credits-over-1000",
      effect: "forbid",
      actions: ["post_credit"],
      when: (request) => Number(request.args.amount) > 1000,
      reason: "credits over $1,000 are never posted by an agent",
    },
    { id: "closures", effect: "permit", actions: ["close_account"], reason: "admins may close" },
    { id: "letters", effect: "permit", actions: ["draft_letter"], reason: "letters are drafts" },
    {
      id: "hand-back",
      effect: "permit",
      actions: ["handoff_to_desk"],
      reason: "the specialist may hand back",
    },
    ...(handoffs === "forbid"
      ? []
      : [
          {
            id: "handoff",
            effect: "permit" as const,
            actions: ["handoff_to_specialist"],
            reason: "the desk may ask the specialist",
          },
        ]),
    ...(handoffs === "approval"
      ? [
          {
            id: "handoff-needs-a-human",
            effect: "require-approval" as const,
            actions: ["handoff_to_specialist"],
            reason: "a supervisor signs off every handoff",
          },
        ]
      : []),
  ]);
}

/**
 * The desk's rules under a fixed version. A rule engine's version hashes its rules' source,
 * which two transpilers (vitest's and tsx's) print differently; a run started by one process
 * and recovered by another must see one version, as two processes of one build would.
 */
export function pinnedDeskPolicy(version = "desk-rules-pinned-1"): PolicyEngine {
  const rules = deskPolicy();
  return { version, decide: (request) => rules.decide(request) };
}

export function agentDesk(options: AgentDeskOptions = {}): { workflow: Workflow; effects: DeskEffects } {
  const effects: DeskEffects = { reads: [], credits: [], closures: [], letters: [] };
  const tools = [
    defineTool({
      name: "read_account",
      description: "Read an account",
      input: z.object({ account: z.string() }).strict(),
      scopes: ["accounts:read"],
      risk: "read",
      handler: ({ account }) => {
        effects.reads.push(account);
        return { account, balance: 250, ...(options.note ? { note: options.note } : {}) };
      },
    }),
    defineTool({
      name: "post_credit",
      description: "Post a credit to an account",
      input: z.object({ account: z.string(), amount: z.number().positive() }).strict(),
      scopes: ["credits:write"],
      risk: "write",
      handler: (args) => {
        effects.credits.push(args);
        options.hooks?.onCredit?.(args);
        return { creditId: `CR-${effects.credits.length}`, ...args };
      },
    }),
    defineTool({
      name: "close_account",
      description: "Close an account for good",
      input: z.object({ account: z.string() }).strict(),
      scopes: ["accounts:admin"],
      risk: "destructive",
      handler: ({ account }) => {
        effects.closures.push(account);
        return { closed: account };
      },
    }),
    defineTool({
      name: "draft_letter",
      description: "Draft a letter to the account holder",
      input: z.object({ account: z.string(), text: z.string() }).strict(),
      scopes: ["letters:write"],
      risk: "write",
      handler: ({ account }) => {
        effects.letters.push(account);
        return { draft: `L-${effects.letters.length}` };
      },
    }),
  ];
  const nodes: Record<string, WorkflowNode<DeskState>> = {
    desk: {
      kind: "agent",
      instructions: DESK_PROMPT,
      input: (state) => state.request,
      tools: ["read_account", "post_credit"],
      maxTurns: options.maxTurns ?? 6,
      ...(options.maxCallsPerTurn !== undefined ? { maxCallsPerTurn: options.maxCallsPerTurn } : {}),
      ...(options.team ? { handoffs: ["specialist"] } : {}),
      govern: {
        post_credit: {
          check: creditCheck,
          onResult: () => {
            options.hooks?.afterCredit?.();
            return {};
          },
        },
        ...options.govern,
      },
      onReply: (_state, text) => ({ reply: text }),
    },
  };
  const edges: WorkflowEdge[] = [
    [START, "desk"],
    ["desk", END],
  ];
  if (options.limitEdge) {
    nodes.limit_reached = { kind: "task", run: () => ({ status: "turn-limit" }) };
    edges.push(["desk", "limit_reached", "limit"], ["limit_reached", END]);
  }
  if (options.team) {
    nodes.specialist = {
      kind: "agent",
      instructions: SPECIALIST_PROMPT,
      tools: ["draft_letter", "post_credit"],
      maxTurns: 4,
      agent: {
        id: options.specialist?.id ?? "specialist",
        scopes: [...(options.specialist?.scopes ?? ["letters:write", "accounts:read"])],
      },
      ...(options.handBack ? { handoffs: ["desk"] } : {}),
      govern: {
        draft_letter: { sufficient: { reason: "a draft sends nothing" } },
        post_credit: { check: creditCheck },
      },
      onReply: (_state, text) => ({ reply: text }),
    };
    edges.push(["specialist", END]);
  }
  const workflow = defineWorkflow({
    name: "agent-desk",
    state: z.object({ request: z.string(), reply: z.string().optional(), status: z.string().optional() }),
    agent: {
      id: DESK_AGENT,
      scopes: ["accounts:read", "credits:write", "accounts:admin", "letters:write"],
    },
    ...(options.noApprovers
      ? {}
      : {
          approvers: defineIdentity({
            roles: { supervisor: ["approvals:credits"], worker: ["accounts:read"] },
            agents: { [DESK_AGENT]: { roles: ["worker"] } },
            approvers: { "supervisor:sam": { roles: ["supervisor"] } },
          }),
        }),
    tools,
    policy: options.policy ?? deskPolicy(),
    nodes,
    edges,
  });
  return { workflow: workflow as unknown as Workflow, effects };
}

/** One model turn of a desk script: a fixed reply, or one computed from what the model sees. */
export type DeskTurn = ScriptedReply | ((view: ScenarioView) => ScriptedReply);
type DeskScript = readonly DeskTurn[] | ((turn: number, view: ScenarioView) => ScriptedReply);

/**
 * A model that plays the desk's turns in order (and the specialist's, on its own prompt), then
 * answers "Done." Turns are counted per prompt as the model is called, so pass the same model
 * to every start and resume of a run. `calls` logs every model call. With `ids`, the model
 * names its tool calls its own way (see CallIdModel): repeated, missing or chosen ids.
 */
export function deskModel(
  desk: DeskScript,
  specialist: DeskScript = [],
  ids?: () => string | undefined,
): Attacker {
  const calls: string[] = [];
  const counters = { desk: 0, specialist: 0 };
  const play = (script: DeskScript, who: keyof typeof counters) => (view: ScenarioView) => {
    const turn = counters[who]++;
    calls.push(`${who}:${turn}`);
    if (typeof script === "function") return script(turn, view);
    const step = script[turn];
    if (step === undefined) return { text: "Done." };
    return typeof step === "function" ? step(view) : step;
  };
  const script = defineScenario({
    name: "agent-desk",
    turns: [
      { when: { system: new RegExp(DESK_PROMPT) }, reply: play(desk, "desk") },
      { when: { system: new RegExp(SPECIALIST_PROMPT) }, reply: play(specialist, "specialist") },
    ],
  });
  return { model: ids ? new CallIdModel(script, ids) : new ScenarioChatModel(script), calls };
}

/** Ids handed out in order, one per tool call the model makes (undefined: no id). */
export function idsInOrder(...ids: (string | undefined)[]): () => string | undefined {
  let next = 0;
  return () => ids[next++];
}

export const read = (account: string) => ({ name: "read_account", args: { account } });
export const credit = (account: string, amount: number) => ({
  name: "post_credit",
  args: { account, amount },
});

/** A decision signed with the store's keys for one request of a batch. */
export function signFor(
  keys: Parameters<typeof signApprovalDecision>[0],
  request: ApprovalBinding,
  decision: "approve" | "reject" = "approve",
  options: { approver?: string; reason?: string } = {},
): Promise<string> {
  return signApprovalDecision(keys, {
    approver: options.approver ?? "supervisor:sam",
    decision,
    request,
    reason: options.reason,
  });
}
