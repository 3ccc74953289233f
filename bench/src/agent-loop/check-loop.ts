import { ToolMessage } from "@langchain/core/messages";
import { isInterrupted } from "@langchain/langgraph";
import { CALLS_PER_RUN, FINAL_ANSWER, LOOP_TURNS } from "./loop-script.js";
import { type LoopVariant, stepsOf } from "./loop-variant.js";

/**
 * Runs a variant once and proves it did the work being timed: it completed (no interrupt),
 * its handlers ran exactly {@link LOOP_TURNS} reads and {@link LOOP_TURNS} writes, the
 * conversation holds one model answer per turn plus the final one and one successful tool
 * result per call, and the model's last word is the final answer. A benchmark of a loop that
 * silently stops early measures nothing. Returns the graph steps the run took.
 *
 * @throws {Error} naming the variant and every problem found.
 */
export async function checkLoopOnce(variant: LoopVariant, threadId: string): Promise<number> {
  const before = { reads: variant.desk.reads, writes: variant.desk.writes };
  const state = await variant.run(threadId);
  const problems: string[] = [];
  if (isInterrupted(state as unknown)) problems.push("it stopped at an interrupt instead of completing");
  const reads = variant.desk.reads - before.reads;
  const writes = variant.desk.writes - before.writes;
  if (reads !== LOOP_TURNS || writes !== LOOP_TURNS)
    problems.push(`its handlers ran ${reads} reads and ${writes} writes, expected ${LOOP_TURNS} of each`);
  const messages = state.messages ?? [];
  const answers = messages.filter((message) => message.getType() === "ai");
  if (answers.length !== LOOP_TURNS + 1)
    problems.push(`the model answered ${answers.length} times, expected ${LOOP_TURNS + 1}`);
  const results = messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
  const failed = results.filter((message) => message.status === "error");
  if (results.length !== CALLS_PER_RUN || failed.length)
    problems.push(
      `${results.length} tool results (${failed.length} errors: ${failed
        .slice(0, 2)
        .map((m) => JSON.stringify(m.content))
        .join("; ")}), expected ${CALLS_PER_RUN} successes`,
    );
  const last = answers.at(-1);
  if (last?.content !== FINAL_ANSWER) problems.push(`the last answer is ${JSON.stringify(last?.content)}`);
  problems.push(...(variant.verify?.(state) ?? []));
  if (problems.length)
    throw new Error(`Variant "${variant.name}" did not run the agent loop: ${problems.join("; ")}`);
  return stepsOf(variant, threadId);
}

/** After timing: every timed and warm-up run must have made every call, exactly once. */
export function checkLoopCount(variant: LoopVariant, runs: number): void {
  const expected = runs * LOOP_TURNS;
  const { reads, writes } = variant.desk;
  if (reads !== expected || writes !== expected)
    throw new Error(
      `Variant "${variant.name}" ran ${reads} reads and ${writes} writes over ${runs} runs, expected ${expected} of each`,
    );
}
