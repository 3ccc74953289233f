import { GovernorError } from "@governor/errors";
import { modelNameOf } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { RunBudget } from "../budget/run-budget.js";
import type { RunUsage } from "../budget/run-usage.js";
import type { ExecutionControl } from "../control/execution-control.js";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { AgentNode } from "../workflow/node-definitions.js";

export interface TurnModelInput {
  readonly id: string;
  readonly node: AgentNode<GraphState>;
  readonly state: GraphState;
  readonly services: NodeServices;
  readonly control: ExecutionControl;
  readonly prompt: readonly BaseMessage[];
  readonly usage: RunUsage;
  readonly budget: RunBudget;
}

/** The model that answers this turn, and why. */
export interface TurnModel {
  readonly name: string;
  readonly model: BaseChatModel;
  readonly reason: string;
}

/**
 * Which model answers an agent's turn: the compiled model, unless the node declares routing
 * rules over the named `models`.
 *
 * @throws {GovernorError} CONFIG_INVALID when no model was given.
 */
export async function chooseTurnModel(input: TurnModelInput): Promise<TurnModel> {
  const model = input.services.model;
  if (!model) {
    throw new GovernorError("CONFIG_INVALID", `Agent ${input.id} has no model: pass one to compile()`);
  }
  return { name: modelNameOf(model), model, reason: "the step's model" };
}
