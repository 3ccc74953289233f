import { GovernorError } from "@governor/errors";
import type { BaseMessage } from "@langchain/core/messages";
import { type Runnable, RunnableLambda } from "@langchain/core/runnables";

/** What Mem0's `langchain` LLM provider may safely receive from `invoke`: the text, nothing else. */
export interface ContentOnly {
  readonly content: string;
}

/**
 * The LLM handed to Mem0's `langchain` provider: the model's reply reduced to `{ content }`.
 *
 * Works around the langchain-provider bug noted in DEPENDENCIES.md: with @langchain/core 1.x
 * every AIMessage carries `tool_calls = []`, so Mem0 3.3's `LangchainLLM.generateResponse`
 * takes its tool-call branch, returns an object instead of the text, and extraction fails
 * with `text.replace is not a function`. An object with only `content` takes Mem0's text branch.
 *
 * Governor writes to Mem0 verbatim (`infer: false`) and reconciles facts itself, so without a
 * `model` nothing may call this: a call fails closed rather than inventing an answer.
 *
 * @throws {GovernorError} CONFIG_INVALID (at call time) when no model was given.
 */
export function contentOnlyModel(
  model?: Runnable<BaseMessage[], { content: unknown }>,
): Runnable<BaseMessage[], ContentOnly> {
  return RunnableLambda.from(async (messages: BaseMessage[]): Promise<ContentOnly> => {
    if (!model) {
      throw new GovernorError(
        "CONFIG_INVALID",
        "Mem0 asked its LLM for an answer, but Governor writes to Mem0 verbatim (infer: false) and gives it no model; extraction and reconciliation are Governor's own (packages/memory/src/extraction)",
      );
    }
    const reply = await model.invoke(messages);
    return { content: textOf(reply.content) };
  });
}

/** A message's content as text: a string as is, content blocks by their text parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((block) =>
        typeof block === "string"
          ? block
          : block && typeof block === "object" && "text" in block && typeof block.text === "string"
            ? block.text
            : "",
      )
      .join("");
  }
  return "";
}
