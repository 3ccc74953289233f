import { randomBytes } from "node:crypto";
import { compile, defineTool, defineWorkflow, END, fail, pass, START } from "@governor/core";
import { hs256Keys } from "@governor/identity";
import type { BaseMessage } from "@langchain/core/messages";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { z } from "zod";
import type { GovernedJournals } from "../variants/journals.js";
import { type LoopPolicyKind, loopPolicy } from "./loop-policy.js";
import {
  ADD_NOTE,
  CALLS_PER_RUN,
  FINAL_ANSWER,
  LOOKUP_ORDER,
  LOOP_INSTRUCTIONS,
  LOOP_REQUEST,
  LOOP_TURNS,
  loopModel,
  OrderDesk,
} from "./loop-script.js";
import type { LoopVariant } from "./loop-variant.js";

/** The agent node's id: it compiles to `desk`, `desk.checks`, `desk.gate`, `desk.tools`, `desk.approval`. */
export const AGENT_NODE = "desk";

export interface GovernedAgentLoopOptions {
  readonly name?: string;
  /** The SQLite file of the variant's own checkpointer. */
  readonly checkpoints: string;
  readonly journals: GovernedJournals;
  readonly policy: LoopPolicyKind;
}

const orderResource = (_state: unknown, call: { args: Record<string, unknown> }) => ({
  type: "Order",
  id: String(call.args.orderId),
});

/**
 * The same loop as one Governor `agent` node (maxTurns 12) over the same two tools: each call
 * passes identity scopes, its zod contract, the note's precondition, the Cedar gate and runs
 * exactly once behind the effects journal, every step audited.
 */
export function governedAgentLoop(options: GovernedAgentLoopOptions): LoopVariant {
  const desk = new OrderDesk();
  const workflow = defineWorkflow({
    name: "agent-loop-bench",
    version: "agent-loop-bench-1",
    state: z.object({ request: z.string().min(1), reply: z.string().optional() }),
    agent: { id: "order-desk", scopes: ["orders:read", "orders:write"], roles: ["order-desk"] },
    tools: [
      defineTool({
        name: LOOKUP_ORDER.name,
        description: LOOKUP_ORDER.description,
        input: LOOKUP_ORDER.schema,
        scopes: ["orders:read"],
        risk: "read",
        handler: ({ orderId }) => desk.lookup(orderId),
      }),
      defineTool({
        name: ADD_NOTE.name,
        description: ADD_NOTE.description,
        input: ADD_NOTE.schema,
        scopes: ["orders:write"],
        risk: "write",
        handler: ({ orderId, note }) => desk.note(orderId, note),
      }),
    ],
    policy: loopPolicy(options.policy),
    nodes: {
      [AGENT_NODE]: {
        kind: "agent",
        description: "Reads and notes orders, two calls a turn",
        instructions: LOOP_INSTRUCTIONS,
        input: ({ request }) => request,
        tools: [LOOKUP_ORDER.name, ADD_NOTE.name],
        maxTurns: 12,
        govern: {
          [LOOKUP_ORDER.name]: { resource: orderResource },
          [ADD_NOTE.name]: {
            resource: orderResource,
            // The write's precondition, from the system of record: the order exists.
            check: ({ call }) => {
              const orderId = String(call.args.orderId);
              return desk.has(orderId) ? pass() : fail(`order ${orderId} does not exist`);
            },
          },
        },
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, AGENT_NODE],
      [AGENT_NODE, END],
    ],
  });
  const checkpointer = SqliteSaver.fromConnString(options.checkpoints);
  const graph = compile(workflow, {
    model: loopModel(),
    audit: options.journals.audit,
    effects: options.journals.effects,
    checkpointer,
    // No call needs approval here; the key only has to exist.
    tokenKeys: hs256Keys(randomBytes(32)),
  });
  return {
    name: options.name ?? `governed agent node (${options.policy})`,
    desk,
    checkpointer,
    run: (threadId) =>
      graph.invoke(
        { request: LOOP_REQUEST },
        { configurable: { thread_id: threadId }, recursionLimit: 200 },
      ) as Promise<{ messages: BaseMessage[] } & Record<string, unknown>>,
    verify: (state) => {
      const governor = state.governor as
        | {
            loops?: Record<string, { turns?: number }>;
            outcomes?: { ok: boolean; replayed?: boolean }[];
          }
        | undefined;
      const problems: string[] = [];
      const turns = governor?.loops?.[AGENT_NODE]?.turns;
      if (turns !== LOOP_TURNS + 1)
        problems.push(`the governor channel counts ${turns} turns, expected ${LOOP_TURNS + 1}`);
      const outcomes = governor?.outcomes ?? [];
      const ran = outcomes.filter((outcome) => outcome.ok && !outcome.replayed).length;
      if (outcomes.length !== CALLS_PER_RUN || ran !== CALLS_PER_RUN)
        problems.push(
          `the gateway recorded ${outcomes.length} outcomes (${ran} fresh successes), expected ${CALLS_PER_RUN}`,
        );
      if (state.reply !== FINAL_ANSWER) problems.push(`state.reply is ${JSON.stringify(state.reply)}`);
      return problems;
    },
    auditRecords: (threadId) => options.journals.audit.list(threadId).length,
    close: () => {
      checkpointer.db.close();
      options.journals.close();
    },
  };
}
