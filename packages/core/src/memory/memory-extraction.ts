import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import {
  type ExtractionModel,
  type FactScope,
  type MemoryEvent,
  type MemoryStore,
  remember,
} from "@governor/memory";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { modelMasker } from "../graph/step-prompt.js";
import { maskMessages } from "../privacy/mask-messages.js";
import type { MemoryExtraction } from "./memory-node-definitions.js";

/**
 * The model a memory-write node extracts with: one of compile's named `models`, or its `model`.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the node when that model was not given.
 */
export function extractionModelOf(
  services: Pick<NodeServices, "model" | "models">,
  node: string,
  extract: MemoryExtraction<GraphState>,
): BaseChatModel {
  const model = extract.model === undefined ? services.model : services.models?.[extract.model];
  if (!model) {
    throw new GovernorError(
      "CONFIG_INVALID",
      extract.model === undefined
        ? `memory-write node ${node} extracts facts with a model, but compile() was given no model`
        : `memory-write node ${node} extracts with model "${extract.model}", which is not among compile()'s models`,
      { node, model: extract.model },
    );
  }
  return model;
}

export interface ExtractionRun {
  readonly node: string;
  readonly principal: Principal;
  readonly threadId: string;
  readonly batchKey?: string;
}

/**
 * Remembers what the conversation established: the model reads it masked (as every model in
 * a run does) and its answer is unmasked before the facts are written, so memory holds the
 * real values and the model never saw them. Written once under the step's key.
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID, MEMORY_FACT_INVALID, MEMORY_SCOPE_DENIED.
 */
export async function extractIntoMemory(
  store: MemoryStore,
  model: ExtractionModel,
  extract: MemoryExtraction<GraphState>,
  state: GraphState,
  services: Pick<NodeServices, "workflow">,
  run: ExtractionRun,
): Promise<MemoryEvent[]> {
  const scope: FactScope = typeof extract.scope === "function" ? extract.scope(state) : extract.scope;
  const masker = modelMasker(state, services);
  const masked: ExtractionModel = masker
    ? {
        invoke: async (messages: BaseMessage[]) => {
          const reply = await model.invoke(maskMessages(messages, masker));
          const text = typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content);
          return new AIMessage(masker.unmask(text));
        },
      }
    : model;
  return remember(store, masked, {
    principal: run.principal,
    scope,
    messages: extract.from ? extract.from(state) : state.messages,
    authorityOf: extract.authorityOf,
    threadId: run.threadId,
    node: run.node,
    ...(run.batchKey ? { batchKey: run.batchKey } : {}),
  });
}
