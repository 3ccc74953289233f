import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { maskMessages } from "../privacy/mask-messages.js";
import { PiiMasker } from "../privacy/pii-mask.js";
import { closeDanglingCalls } from "./dangling-calls.js";
import type { NodeServices } from "./node-scope.js";
import type { GraphState } from "./state-annotation.js";

/** What a model step or agent turn sends the model, and what it adds to the conversation. */
export interface StepPrompt {
  /** Replies to calls nobody answered, and the human input: written to state with the reply. */
  readonly added: BaseMessage[];
  /** Unmasks the reply's tool arguments; undefined when the model may see personal data. */
  readonly masker?: PiiMasker;
  readonly prompt: BaseMessage[];
}

/**
 * The prompt of one model call: the step's instructions (followed by the facts it read from
 * memory, if any), the conversation, "not executed" replies to dangling calls and the human
 * input. Personal data is masked in what the model reads (unless the workflow's
 * `modelMaySee`); state keeps the real values for tools.
 */
export function stepPrompt(
  state: GraphState,
  instructions: string | ((state: GraphState) => string),
  humanText: string | undefined,
  services: NodeServices,
  memory?: string,
): StepPrompt {
  const added: BaseMessage[] = [...closeDanglingCalls(state.messages)];
  if (humanText) added.push(new HumanMessage(humanText));
  const text = typeof instructions === "function" ? instructions(state) : instructions;
  // Rebuilt for every call and never written to state: the next turn reads memory afresh.
  const system = memory ? `${text}\n\n${memory}` : text;
  const masker = modelMasker(state, services);
  const prompt = maskMessages([new SystemMessage(system), ...state.messages, ...added], masker);
  return { added, masker, prompt };
}

/** The masker for what a model reads at this state, or undefined when the workflow lets the model see everything. */
export function modelMasker(
  state: GraphState,
  services: Pick<NodeServices, "workflow">,
): PiiMasker | undefined {
  const privacy = services.workflow.privacy ?? {};
  return privacy.modelMaySee
    ? undefined
    : new PiiMasker(privacy, PiiMasker.sensitiveValues(state, privacy.sensitive));
}
