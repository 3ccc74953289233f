import type { BaseMessage } from "@langchain/core/messages";
import type { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { OrderDesk } from "./loop-script.js";

/** One way of running the 10-turn agent loop, timed against the others. */
export interface LoopVariant {
  readonly name: string;
  /** The order book its tools act on: counting handler calls proves the loop ran. */
  readonly desk: OrderDesk;
  /** The variant's own checkpointer: its checkpoints per thread are the graph steps a run took. */
  readonly checkpointer: SqliteSaver;
  /** One `invoke()` on a new thread; resolves to the final state. */
  run(threadId: string): Promise<{ messages: BaseMessage[] } & Record<string, unknown>>;
  /** Variant-specific proof that a run took the path being measured: the problems found, if any. */
  verify?(state: Record<string, unknown>): string[];
  /** Audit records a thread left, for a variant that keeps an audit journal. */
  auditRecords?(threadId: string): number;
  close(): void;
}

/** The graph steps (checkpoints written, the input's included) of one thread. */
export async function stepsOf(variant: LoopVariant, threadId: string): Promise<number> {
  let steps = 0;
  for await (const _ of variant.checkpointer.list({ configurable: { thread_id: threadId } })) steps++;
  return steps;
}
