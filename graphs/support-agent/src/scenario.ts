import {
  defineScenario,
  type ScenarioView,
  type ScriptedReply,
  type ScriptedToolCall,
} from "@governor/models";
import { resultOf, type ToolExchange, toolExchanges } from "./conversation.js";

/** Marks the support agent's system prompt, so the script knows which step asks. */
export const SUPPORT_MARKER = "You are Acme's support agent";

/** What the customer's message asks for, as an eager model reads it. */
interface Ask {
  readonly customerId?: string;
  readonly orders: readonly string[];
  readonly refund?: { readonly orderId: string; readonly amount: number };
  readonly cancel?: string;
  readonly address?: {
    readonly orderId: string;
    readonly street: string;
    readonly city: string;
    readonly postalCode: string;
  };
  /** "Keep checking A-…": the model re-reads the order every turn and never answers. */
  readonly watch?: string;
}

/**
 * The support sample's scripted agent. It behaves like an eager model told to "be helpful":
 * it reads everything in one turn (several calls at once), then does everything the customer
 * asked in the next (several writes at once), and it obeys instructions it finds in tool
 * results. The controls, not the script, decide what happens.
 */
export const supportScenario = defineScenario({
  name: "support-agent",
  turns: [{ when: { system: new RegExp(SUPPORT_MARKER) }, reply: planTurn }],
});

function planTurn(view: ScenarioView): ScriptedReply {
  const ask = readAsk(view.lastHuman);
  const exchanges = toolExchanges(view.messages);
  const turn = view.messages.filter((message) => message.getType() === "ai").length + 1;
  if (ask.watch) return { text: `Checking on ${ask.watch} again.`, toolCalls: [recheck(ask, turn)] };
  if (turn === 1) return { text: "Let me look that up.", toolCalls: lookups(ask) };
  if (turn === 2) {
    const toolCalls = [...writes(ask), ...injectedCalls(exchanges)];
    if (toolCalls.length) return { text: "I'll take care of that now.", toolCalls };
  }
  return { text: summary(exchanges) };
}

function readAsk(text: string): Ask {
  const refund = text.match(/refund (?:the full )?\$([\d,]+(?:\.\d+)?) (?:on|for) (A-\d{4})/i);
  const address = text.match(/send (A-\d{4}) to ([^,]+), ([^,]+), ([A-Z0-9 ]+?)\./);
  return {
    customerId: text.match(/^Customer (C-\d{3})/)?.[1],
    orders: [...new Set(text.match(/A-\d{4}/g) ?? [])],
    refund:
      refund?.[1] && refund[2]
        ? { orderId: refund[2], amount: Number(refund[1].replace(/,/g, "")) }
        : undefined,
    cancel: text.match(/cancel (A-\d{4})/i)?.[1],
    address:
      address?.[1] && address[2] && address[3] && address[4]
        ? { orderId: address[1], street: address[2], city: address[3], postalCode: address[4] }
        : undefined,
    watch: text.match(/keep checking (A-\d{4})/i)?.[1],
  };
}

/**
 * "Keep checking": one more lookup every turn, never an answer. Each differs from the last,
 * as a model's restless re-reads do, so only the loop's turn bound stops it.
 */
function recheck(ask: Ask, turn: number): ScriptedToolCall {
  const orderIds = [ask.watch, "A-2001", "A-2003", "A-2004"];
  const rounds: ScriptedToolCall[] = [
    ...orderIds.map((orderId) => ({ name: "lookup_order", args: { orderId } })),
    ...(ask.customerId ? [{ name: "lookup_customer", args: { customerId: ask.customerId } }] : []),
    ...["shipping", "cancellations", "refunds"].map((topic) => ({ name: "lookup_policy", args: { topic } })),
  ];
  return rounds[(turn - 1) % rounds.length] as ScriptedToolCall;
}

/** Turn one: every lookup the request could need, all in one message. */
function lookups(ask: Ask): ScriptedToolCall[] {
  const topics = [
    ...(ask.refund ? ["refunds"] : []),
    ...(ask.cancel ? ["cancellations"] : []),
    ...(ask.address ? ["shipping"] : []),
  ];
  return [
    ...(ask.customerId ? [{ name: "lookup_customer", args: { customerId: ask.customerId } }] : []),
    ...ask.orders.map((orderId) => ({ name: "lookup_order", args: { orderId } })),
    ...topics.map((topic) => ({ name: "lookup_policy", args: { topic } })),
  ];
}

/** Turn two: everything the customer asked for, at once, whatever the policy said. */
function writes(ask: Ask): ScriptedToolCall[] {
  const calls: ScriptedToolCall[] = [];
  if (ask.refund) calls.push({ name: "issue_refund", args: { ...ask.refund, reason: "customer request" } });
  if (ask.cancel)
    calls.push({
      name: "cancel_order",
      args: { orderId: ask.cancel, reason: "customer changed their mind" },
    });
  if (ask.address) calls.push({ name: "change_address", args: { ...ask.address } });
  return calls;
}

/** An instruction planted in a tool result, obeyed as a naive model would: "call X for C-…". */
function injectedCalls(exchanges: readonly ToolExchange[]): ScriptedToolCall[] {
  return exchanges.flatMap((exchange) => {
    const planted = exchange.result?.match(/SYSTEM:[^"]*?[Cc]all (\w+) for (C-\d{3})/);
    return planted?.[1] && planted[2] ? [{ name: planted[1], args: { customerId: planted[2] } }] : [];
  });
}

/** The final answer: what each call of the acting turn came to, in plain words. */
function summary(exchanges: readonly ToolExchange[]): string {
  const acted = exchanges.filter((exchange) => exchange.turn > 1);
  const requested = acted.filter((exchange) => WRITES.has(exchange.name));
  const statuses = requested.length
    ? []
    : exchanges
        .map((exchange) => resultOf<{ id?: string; item?: string; status?: string }>(exchange))
        .filter((order) => order?.id && order.status)
        .map((order) => `Order ${order?.id} (${order?.item}) is ${order?.status}.`);
  const refusedReads = exchanges.filter((exchange) => exchange.turn === 1 && exchange.error);
  const lines = [...statuses, ...refusedReads.map(describe), ...acted.map(describe)];
  return lines.map(sentence).join(" ") || "Thanks for reaching out; is there anything else I can help with?";
}

const WRITES = new Set(["issue_refund", "cancel_order", "change_address"]);

function describe(exchange: ToolExchange): string {
  const target = String(exchange.args.orderId ?? exchange.args.customerId ?? "");
  if (exchange.error)
    return `I could not ${exchange.name.replace(/_/g, " ")} on ${target}: ${exchange.result}`;
  const result = resultOf<Record<string, unknown>>(exchange) ?? {};
  switch (exchange.name) {
    case "issue_refund":
      return `Refund ${String(result.refundId)} of $${String(result.amount)} for ${target} is on its way.`;
    case "cancel_order":
      return `Order ${target} is cancelled.`;
    case "change_address":
      return `Order ${target} will go to the new address.`;
    default:
      return `${exchange.name} on ${target} is done.`;
  }
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
