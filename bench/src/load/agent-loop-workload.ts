import { defineTool, defineWorkflow, END, fail, pass, START } from "@governor/core";
import { z } from "zod";
import { loopPolicy } from "../agent-loop/loop-policy.js";
import {
  ADD_NOTE,
  LOOKUP_ORDER,
  LOOP_INSTRUCTIONS,
  LOOP_REQUEST,
  LOOP_TURNS,
  loopModel,
  OrderDesk,
} from "../agent-loop/loop-script.js";
import type { LoadWorkload, WorkloadOptions } from "./load-workload.js";
import { SimulatedLatencyModel } from "./simulated-latency-model.js";

const orderResource = (_state: unknown, call: { args: Record<string, unknown> }) => ({
  type: "Order",
  id: String(call.args.orderId),
});

/**
 * The agent-loop bench's order desk (bench/src/agent-loop) as a workflow the runtime starts:
 * one `agent` node, ten turns of two governed calls (a read and a write, each through
 * identity, contract, Cedar and the effect journal), then the answer: eleven model calls and
 * twenty handler calls a session, none waiting for a human.
 */
export function agentLoopWorkload(options: WorkloadOptions): LoadWorkload {
  const desk = new OrderDesk();
  const calls: string[] = [];
  const workflow = defineWorkflow({
    name: "agent-loop-load",
    version: "agent-loop-load-1",
    state: z.object({ request: z.string().min(1), reply: z.string().optional() }),
    agent: { id: "order-desk", scopes: ["orders:read", "orders:write"], roles: ["order-desk"] },
    tools: [
      defineTool({
        name: LOOKUP_ORDER.name,
        description: LOOKUP_ORDER.description,
        input: LOOKUP_ORDER.schema,
        scopes: ["orders:read"],
        risk: "read",
        handler: ({ orderId }, { idempotencyKey }) => {
          calls.push(idempotencyKey);
          return desk.lookup(orderId);
        },
      }),
      defineTool({
        name: ADD_NOTE.name,
        description: ADD_NOTE.description,
        input: ADD_NOTE.schema,
        scopes: ["orders:write"],
        risk: "write",
        handler: ({ orderId, note }, { idempotencyKey }) => {
          calls.push(idempotencyKey);
          return desk.note(orderId, note);
        },
      }),
    ],
    policy: loopPolicy("cedar"),
    nodes: {
      desk: {
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
      [START, "desk"],
      ["desk", END],
    ],
  });
  return {
    name: "agent-loop",
    workflow,
    model: new SimulatedLatencyModel(loopModel().script, options.latency, options.sessionOf),
    modelCallsPerSession: () => LOOP_TURNS + 1,
    input: () => ({ request: LOOP_REQUEST }),
    expected: () => "completed",
    effects: () => calls,
  };
}
