import { ScenarioChatModel } from "@governor/models/testing";
import type { Account, Order } from "@governor/sample-refund";
import { PaymentsLedger, refundScenario, sampleCrm } from "@governor/sample-refund";
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import {
  Annotation,
  END,
  type LangGraphRunnableConfig,
  messagesStateReducer,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { instructionsOf, refundDefinitions } from "./prompts.js";
import { type RefundVariant, SMALL_REFUND_INPUT } from "./refund-variant.js";

const BareState = Annotation.Root({
  customerId: Annotation<string>(),
  orderId: Annotation<string>(),
  request: Annotation<string>(),
  account: Annotation<Account | undefined>(),
  order: Annotation<Order | undefined>(),
  refund: Annotation<{ refundId: string; orderId: string; amount: number } | undefined>(),
  reply: Annotation<string | undefined>(),
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer as never, default: () => [] }),
});

type State = typeof BareState.State;

export interface BareRefundOptions {
  readonly name?: string;
  /** The SQLite file of the variant's own checkpointer. */
  readonly checkpoints: string;
  /**
   * Pass-through nodes added between propose and issue_refund. Three of them give the bare
   * graph the governed one's seven steps, which separates LangGraph's per-node cost from
   * Governor's own work (used by the breakdown only).
   */
  readonly extraNodes?: number;
}

/**
 * The refund desk in plain LangGraph: the same CRM lookup, the same scripted model with the
 * same tool, prompts and messages, the same ledger; none of the controls (no precondition,
 * gate, route node, approval, audit or idempotency journal).
 */
export function bareRefund(options: BareRefundOptions): RefundVariant {
  const ledger = new PaymentsLedger();
  const crm = sampleCrm();
  const { propose, respond, tool } = refundDefinitions();
  const model = new ScenarioChatModel(refundScenario);
  // The same tool spec Governor's model node binds: name, description, the contract as JSON Schema.
  const proposer = model.bindTools([
    {
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.input.toJSONSchema() },
    },
  ]);

  const builder = new StateGraph(BareState)
    .addNode("load_customer", (state: State) => ({
      account: crm.account(state.customerId),
      order: crm.order(state.orderId),
    }))
    .addNode("propose", async (state: State, config: LangGraphRunnableConfig) => {
      const human = new HumanMessage(propose.input?.(state) ?? state.request);
      const reply = await proposer.invoke(
        [new SystemMessage(instructionsOf(propose, state)), ...state.messages, human],
        config,
      );
      return { messages: [human, reply] };
    })
    .addNode("issue_refund", (state: State, config: LangGraphRunnableConfig) => {
      const call = refundCall(state.messages);
      const { orderId, amount } = call.args as { orderId: string; amount: number };
      const record = ledger.refund(orderId, amount, `${config.configurable?.thread_id}:${call.id}`);
      const refund = { refundId: record.refundId, orderId, amount };
      return {
        refund,
        messages: [
          new ToolMessage({
            tool_call_id: call.id ?? "",
            name: call.name,
            content: JSON.stringify(refund),
            status: "success",
          }),
        ],
      };
    })
    .addNode("respond", async (state: State, config: LangGraphRunnableConfig) => {
      const reply = await model.invoke(
        [new SystemMessage(instructionsOf(respond, state)), ...state.messages],
        config,
      );
      return {
        reply: typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content),
        messages: [reply],
      };
    })
    .addEdge(START, "load_customer")
    .addEdge("load_customer", "propose")
    .addEdge("issue_refund", "respond")
    .addEdge("respond", END);

  // biome-ignore lint/suspicious/noExplicitAny: the pass-through nodes' names are data, as in Governor's compile().
  const graph = builder as any;
  const toRefund = chainPassThrough(graph, options.extraNodes ?? 0, "issue_refund");
  graph.addConditionalEdges(
    "propose",
    (state: State) => (hasRefundCall(state.messages) ? "refund" : "answer"),
    {
      refund: toRefund,
      answer: "respond",
    },
  );

  const checkpointer = SqliteSaver.fromConnString(options.checkpoints);
  const compiled = (builder as typeof builder).compile({ checkpointer, name: "refund-bare" });
  return {
    name: options.name ?? "bare",
    ledger,
    run: (threadId) =>
      compiled.invoke(SMALL_REFUND_INPUT as State, { configurable: { thread_id: threadId } }),
    close: () => checkpointer.db.close(),
  };
}

/** Puts `count` no-op nodes in front of `target`; returns the node to route to. */
// biome-ignore lint/suspicious/noExplicitAny: see bareRefund.
function chainPassThrough(graph: any, count: number, target: string): string {
  let next = target;
  for (let i = count; i >= 1; i--) {
    graph.addNode(`pass_${i}`, () => ({})).addEdge(`pass_${i}`, next);
    next = `pass_${i}`;
  }
  return next;
}

function lastToolCalls(messages: readonly BaseMessage[]) {
  const last = messages.at(-1);
  return last && AIMessage.isInstance(last) ? (last.tool_calls ?? []) : [];
}

function hasRefundCall(messages: readonly BaseMessage[]): boolean {
  return lastToolCalls(messages).some((call) => call.name === "issue_refund");
}

function refundCall(messages: readonly BaseMessage[]) {
  const call = lastToolCalls(messages).find((c) => c.name === "issue_refund");
  if (!call) throw new Error("issue_refund ran without a proposed issue_refund call");
  return call;
}
