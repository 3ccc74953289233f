import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { z } from "zod";

/** Model turns that call tools before the final answer. */
export const LOOP_TURNS = 10;
/** Tool calls the model proposes in each of those turns: one read, one write. */
export const CALLS_PER_TURN = 2;
/** Every handler call one run makes. */
export const CALLS_PER_RUN = LOOP_TURNS * CALLS_PER_TURN;

/** The same system prompt and request for every variant, so each model call reads the same text. */
export const LOOP_INSTRUCTIONS =
  "You are the order desk's assistant. Look up each order with lookup_order and note it with add_note.";
export const LOOP_REQUEST = `Review orders A-1000 to A-${1000 + LOOP_TURNS - 1} and leave a note on each.`;
export const FINAL_ANSWER = `Reviewed and noted ${LOOP_TURNS} orders.`;

/** The two tools' names, descriptions and contracts, shared by the bare and governed tools. */
export const LOOKUP_ORDER = {
  name: "lookup_order",
  description: "Read an order's status.",
  schema: z.object({ orderId: z.string().regex(/^A-\d{4}$/) }).strict(),
} as const;
export const ADD_NOTE = {
  name: "add_note",
  description: "Add an internal note to an order.",
  schema: z.object({ orderId: z.string().regex(/^A-\d{4}$/), note: z.string().min(1).max(200) }).strict(),
} as const;

/**
 * The order book both variants' tools act on: each handler call is counted, so a run that
 * skipped a call (or ran one twice) shows in the counts, not just in the timing.
 */
export class OrderDesk {
  reads = 0;
  writes = 0;
  readonly #notes = new Map<string, string[]>();

  /** Whether the order exists: orders A-1000 … A-1099. */
  has(orderId: string): boolean {
    const n = Number(orderId.slice(2));
    return /^A-\d{4}$/.test(orderId) && n >= 1000 && n < 1100;
  }

  lookup(orderId: string): { orderId: string; status: string } {
    this.reads++;
    return { orderId, status: this.has(orderId) ? "open" : "unknown" };
  }

  note(orderId: string, note: string): { orderId: string; notes: number } {
    this.writes++;
    // Only the count is kept: one list per order would grow with every run of the benchmark.
    const notes = this.#notes.get(orderId) ?? [];
    if (notes.length < 8) notes.push(note);
    this.#notes.set(orderId, notes);
    return { orderId, notes: notes.length };
  }
}

/**
 * The scripted model every variant runs: while fewer than {@link LOOP_TURNS} of its answers are
 * in the conversation it proposes two calls (look up order n, note order n), then it answers.
 * It only answers when both tools are bound, so a variant that forgets to offer them fails loudly.
 */
export function loopModel(): ScenarioChatModel {
  return new ScenarioChatModel(
    defineScenario({
      name: "agent-loop",
      turns: [
        {
          when: { toolsBound: [LOOKUP_ORDER.name, ADD_NOTE.name] },
          reply: ({ messages }) => {
            const turn = messages.filter((message) => message.getType() === "ai").length;
            if (turn >= LOOP_TURNS) return { text: FINAL_ANSWER };
            const orderId = `A-${1000 + turn}`;
            return {
              toolCalls: [
                { name: LOOKUP_ORDER.name, args: { orderId } },
                { name: ADD_NOTE.name, args: { orderId, note: `reviewed on turn ${turn + 1}` } },
              ],
            };
          },
        },
      ],
    }),
  );
}
