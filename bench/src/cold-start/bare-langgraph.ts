/**
 * The cold-start baseline: a node process that imports @langchain/langgraph and runs a trivial
 * two-node graph once, the least any LangGraph.js program pays before its first answer.
 */
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ request: Annotation<string>(), reply: Annotation<string | undefined>() });

const graph = new StateGraph(State)
  .addNode("answer", (state: typeof State.State) => ({ reply: `Done: ${state.request}` }))
  .addNode("finish", () => ({}))
  .addEdge(START, "answer")
  .addEdge("answer", "finish")
  .addEdge("finish", END)
  .compile({ checkpointer: new MemorySaver() });

const state = await graph.invoke({ request: "refund" }, { configurable: { thread_id: "cold-start" } });
console.log(state.reply);
