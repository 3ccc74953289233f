import { Annotation, Command, interrupt, MemorySaver, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { keepInterruptedTasksNext, withInterruptedNext } from "./interrupted-next.js";

/** A node that asks until it gets "yes", as the approval node does with refused answers. */
function askingGraph() {
  const State = Annotation.Root({ answer: Annotation<string>() });
  return new StateGraph(State)
    .addNode("ask", () => {
      for (;;) {
        const answer = interrupt({ question: "yes?" });
        if (answer === "yes") return { answer };
      }
    })
    .addEdge("__start__", "ask")
    .addEdge("ask", "__end__")
    .compile({ checkpointer: new MemorySaver() });
}

describe("keepInterruptedTasksNext", () => {
  const config = { configurable: { thread_id: "t" } };

  it("keeps a node that interrupted again after a refused answer in next", async () => {
    const graph = askingGraph();
    const plain = askingGraph();
    keepInterruptedTasksNext(graph);
    for (const g of [graph, plain]) {
      await g.invoke({}, config);
      await g.invoke(new Command({ resume: "no" }), config);
    }
    // LangGraph's own answer, which this corrects: a pending resume write drops the task from next.
    expect((await plain.getState(config)).next).toEqual([]);
    const state = await graph.getState(config);
    expect(state.next).toEqual(["ask"]);
    expect(state.tasks.flatMap((task) => task.interrupts)).toHaveLength(1);

    await graph.invoke(new Command({ resume: "yes" }), config);
    const done = await graph.getState(config);
    expect(done.next).toEqual([]);
    expect(done.values.answer).toBe("yes");
  });

  it("leaves out tasks that finished, failed or never interrupted", () => {
    const snapshot = {
      next: ["plain"],
      tasks: [
        { name: "plain", interrupts: [] },
        { name: "finished", interrupts: [{ value: 1 }], result: { x: 1 } },
        { name: "failed", interrupts: [{ value: 1 }], error: new Error("boom") },
        { name: "waiting", interrupts: [{ value: 1 }] },
      ],
    };
    expect(withInterruptedNext(snapshot).next).toEqual(["plain", "waiting"]);
    expect(withInterruptedNext({ next: [], tasks: [] }).next).toEqual([]);
  });
});
