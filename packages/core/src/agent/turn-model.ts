import { GovernorError } from "@governor/errors";
import { modelNameOf } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { routeTurn } from "../budget/route-turn.js";
import type { RunBudget } from "../budget/run-budget.js";
import type { RunUsage } from "../budget/run-usage.js";
import { higherRisk } from "../budget/select-model.js";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { ToolRisk } from "../tools/define-tool.js";
import type { AgentNode } from "../workflow/node-definitions.js";
import { loopOf } from "./agent-loop-state.js";

export interface TurnModelInput {
  readonly id: string;
  readonly node: AgentNode<GraphState>;
  readonly state: GraphState;
  readonly services: NodeServices;
  readonly prompt: readonly BaseMessage[];
  readonly usage: RunUsage;
  readonly budget: RunBudget;
}

/** The model that answers this turn, by the name it is routed under, and why. */
export interface TurnModel {
  readonly name: string;
  readonly model: BaseChatModel;
  readonly reason: string;
}

/**
 * Which model answers an agent's turn: the compiled model, unless the node declares routing
 * rules over the named `models`; then the rules decide on the prompt's size, the risk of the
 * calls the previous turn made (the model now reasons about their results) and the budget
 * left. Read from the checkpointed state only, so a re-run of the turn chooses the same.
 *
 * @throws {GovernorError} CONFIG_INVALID when no model was given, or the rules name a model
 *   that was not.
 */
export async function chooseTurnModel(input: TurnModelInput): Promise<TurnModel> {
  const { node, services } = input;
  if (node.models) {
    const routed = await routeTurn({
      node: input.id,
      rules: node.models,
      models: services.models,
      prompt: input.prompt,
      usage: input.usage,
      budget: input.budget,
      risk: previousTurnRisk(input.state, input.id, services),
    });
    return { name: routed.name, model: routed.model, reason: routed.reason };
  }
  const model = services.model;
  if (!model) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Agent ${input.id} has no model: pass one to compile() (or models with routing rules)`,
    );
  }
  return { name: modelNameOf(model), model, reason: "the step's model" };
}

/** The highest risk among the tools the previous turn called; undefined on a first turn. */
function previousTurnRisk(state: GraphState, id: string, services: NodeServices): ToolRisk | undefined {
  let risk: ToolRisk | undefined;
  for (const entry of Object.values(loopOf(state, id).calls)) {
    risk = higherRisk(risk, services.gateway.tool(entry.call.tool)?.risk);
  }
  return risk;
}
