import { formatIssues, GovernorError } from "@governor/errors";
import type { BaseMessage } from "@langchain/core/messages";
import type { z } from "zod";
import { contentText } from "./extraction-source.js";

/**
 * The least a model must offer: a LangChain chat model, or anything that answers a list of
 * messages with a message. Extraction reads the reply's text, so a model without tool calling
 * or structured output (a scripted offline model, a small local one) works the same.
 */
export interface ExtractionModel {
  invoke(messages: BaseMessage[]): Promise<BaseMessage>;
}

/**
 * Asks the model and returns its answer parsed as JSON and validated by `schema`.
 * A reply wrapped in a Markdown code fence is unwrapped first (models add them unasked).
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID when the reply is not JSON or fails the
 * schema; the message names the step and each failing path.
 */
export async function askForJson<TSchema extends z.ZodType>(
  model: ExtractionModel,
  messages: BaseMessage[],
  schema: TSchema,
  step: string,
): Promise<z.output<TSchema>> {
  const reply = await model.invoke(messages);
  return parseModelJson(contentText(reply.content), schema, step);
}

/**
 * Parses a model's text answer as JSON and validates it.
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID as {@link askForJson}.
 */
export function parseModelJson<TSchema extends z.ZodType>(
  text: string,
  schema: TSchema,
  step: string,
): z.output<TSchema> {
  const body = unfence(text);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new GovernorError(
      "MEMORY_EXTRACTION_INVALID",
      `the model's ${step} answer is not JSON (${(error as Error).message}); nothing was written. It began: ${JSON.stringify(body.slice(0, 120))}`,
      { step, text: body.slice(0, 2000) },
      { cause: error },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new GovernorError(
      "MEMORY_EXTRACTION_INVALID",
      `the model's ${step} answer fails its schema; nothing was written: ${formatIssues(parsed.error.issues, "(answer)")}`,
      { step, issues: parsed.error.issues },
    );
  }
  return parsed.data;
}

function unfence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(trimmed);
  return fenced?.[1] !== undefined ? fenced[1].trim() : trimmed;
}
