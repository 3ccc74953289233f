import { HumanMessage } from "@langchain/core/messages";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { bareTools } from "./bare-tools.js";
import { LOOP_INSTRUCTIONS, LOOP_REQUEST, loopModel, OrderDesk } from "./loop-script.js";
import type { LoopVariant } from "./loop-variant.js";

/**
 * The loop as LangGraph's own prebuilt ReAct agent runs it: `agent → tools → agent …`, the
 * tools in LangGraph's `ToolNode`, the same scripted model, prompt and checkpointer kind as
 * the governed variant, none of the controls.
 */
export function bareReactAgent(options: { name?: string; checkpoints: string }): LoopVariant {
  const desk = new OrderDesk();
  const checkpointer = SqliteSaver.fromConnString(options.checkpoints);
  // createReactAgent is deprecated in favour of langchain's createAgent, and still what
  // LangGraph's docs and most existing agents use: it is the baseline the issue names.
  const agent = createReactAgent({
    llm: loopModel(),
    tools: bareTools(desk),
    prompt: LOOP_INSTRUCTIONS,
    checkpointer,
  });
  return {
    name: options.name ?? "bare createReactAgent",
    desk,
    checkpointer,
    run: (threadId) =>
      agent.invoke(
        { messages: [new HumanMessage(LOOP_REQUEST)] },
        { configurable: { thread_id: threadId }, recursionLimit: 100 },
      ),
    close: () => checkpointer.db.close(),
  };
}
