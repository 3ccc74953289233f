import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { bareTools } from "./bare-tools.js";
import { LOOP_INSTRUCTIONS, LOOP_REQUEST, loopModel, OrderDesk } from "./loop-script.js";
import type { LoopVariant } from "./loop-variant.js";

export interface BarePaddedLoopOptions {
  readonly name?: string;
  readonly checkpoints: string;
  /**
   * No-op nodes between the model and the ToolNode on every turn. With as many as the governed
   * loop has governance steps per turn, this graph takes the governed one's number of steps, so
   * the difference between the two is Governor's own work, not LangGraph's cost per step.
   */
  readonly extraNodesPerTurn: number;
}

/**
 * The ReAct loop hand-written in a `StateGraph` (what `createReactAgent` builds) with
 * `extraNodesPerTurn` pass-through nodes in front of the `ToolNode`.
 */
export function barePaddedLoop(options: BarePaddedLoopOptions): LoopVariant {
  const desk = new OrderDesk();
  const tools = bareTools(desk);
  const model = loopModel().bindTools(tools);
  const checkpointer = SqliteSaver.fromConnString(options.checkpoints);
  // biome-ignore lint/suspicious/noExplicitAny: the pass-through nodes' names are data, as in Governor's compile().
  const graph = new StateGraph(MessagesAnnotation) as any;
  graph
    .addNode("agent", async (state: typeof MessagesAnnotation.State) => ({
      messages: [await model.invoke([new SystemMessage(LOOP_INSTRUCTIONS), ...state.messages])],
    }))
    .addNode("tools", new ToolNode(tools))
    .addEdge(START, "agent")
    .addEdge("tools", "agent");
  let toTools = "tools";
  for (let i = options.extraNodesPerTurn; i >= 1; i--) {
    graph.addNode(`pass_${i}`, () => ({})).addEdge(`pass_${i}`, toTools);
    toTools = `pass_${i}`;
  }
  graph.addConditionalEdges(
    "agent",
    (state: typeof MessagesAnnotation.State) => {
      const last = state.messages.at(-1);
      return last && AIMessage.isInstance(last) && last.tool_calls?.length ? "tools" : "done";
    },
    { tools: toTools, done: END },
  );
  const compiled = graph.compile({ checkpointer, name: "agent-loop-bare-padded" });
  return {
    name: options.name ?? `bare StateGraph + ${options.extraNodesPerTurn} no-op nodes/turn`,
    desk,
    checkpointer,
    run: (threadId) =>
      compiled.invoke(
        { messages: [new HumanMessage(LOOP_REQUEST)] },
        { configurable: { thread_id: threadId }, recursionLimit: 200 },
      ),
    close: () => checkpointer.db.close(),
  };
}
