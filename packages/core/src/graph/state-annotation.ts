import type { BaseMessage } from "@langchain/core/messages";
import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import type { StateSchema } from "../workflow/define-workflow.js";
import { emptyChannel, type GovernorChannel, type GovernorUpdate, mergeChannel } from "./governor-channel.js";

/**
 * The LangGraph state for a workflow: one last-value channel per field of the author's zod
 * schema, the conversation (`messages`) and Governor's own channel.
 *
 * Built with Annotation rather than handing zod to StateGraph so the author's schema stays
 * a plain zod object (no LangGraph registry metadata) and Governor owns the reducers.
 */
export function stateAnnotation(schema: StateSchema) {
  const fields: Record<string, ReturnType<typeof Annotation<unknown>>> = {};
  for (const key of Object.keys(schema.shape)) fields[key] = Annotation<unknown>();
  return Annotation.Root({
    ...fields,
    messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer as never, default: () => [] }),
    governor: Annotation<GovernorChannel, GovernorUpdate>({ reducer: mergeChannel, default: emptyChannel }),
  });
}

/** What every node receives: the author's fields plus the two Governor channels. */
export type GraphState = Record<string, unknown> & { messages: BaseMessage[]; governor: GovernorChannel };
