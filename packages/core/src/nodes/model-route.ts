import { GovernorError } from "@governor/errors";
import { modelNameOf } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { checkNodeModelRules } from "../budget/check-model-rules.js";
import type { ModelRoute } from "../budget/model-routing.js";
import type { ModelRoutingRules } from "../budget/model-rules.js";
import { type RoutedTurn, type RouteTurnInput, routeTurn } from "../budget/route-turn.js";
import { higherRisk } from "../budget/select-model.js";
import type { AnyTool, ToolRisk } from "../tools/define-tool.js";

/** A model bound to a step's tools, as the step calls it. */
export type Invoke = (messages: BaseMessage[], config: LangGraphRunnableConfig) => Promise<AIMessage>;

/** A step's declared routing, ready to run: its rules and each named model bound to its tools. */
export interface StepRouting {
  readonly rules: ModelRoutingRules;
  readonly routes: Readonly<Record<string, ModelRoute<Invoke>>>;
  /** The highest risk among the tools the step offers: what `toolRiskAtLeast` sees. */
  readonly risk?: ToolRisk;
}

/** The primary model of one turn, and the routing choice when rules made it. */
export interface PrimaryPick {
  readonly primary: ModelRoute<Invoke>;
  readonly turn?: RoutedTurn<ModelRoute<Invoke>>;
}

/**
 * What a turn is routed on: the prompt and the run's checkpointed usage and budget, and, for
 * an agent's turn, the risk of the calls its previous turn made (a model step's risk is the
 * risk of the tools it offers).
 */
export type TurnFacts = Pick<
  RouteTurnInput<ModelRoute<Invoke>>,
  "prompt" | "usage" | "budget" | "contextTokens"
> & { readonly risk?: ToolRisk };

/**
 * Chooses how a model step finds its primary model each turn: by its declared rules among
 * the given `models`, or the one `model` given to compile when it declares none.
 *
 * @throws {GovernorError} CONFIG_INVALID when the step can have no model: rules that do not
 *   hold (see `stepRouting`), or no rules and no model.
 */
export function primaryPicker(
  id: string,
  rules: ModelRoutingRules | undefined,
  services: {
    readonly workflow: { readonly name: string };
    readonly model?: BaseChatModel;
    readonly models?: Readonly<Record<string, BaseChatModel>>;
  },
  offered: readonly AnyTool[],
): (facts: TurnFacts) => Promise<PrimaryPick> {
  if (rules) {
    const routing = stepRouting(id, rules, services.models, offered);
    return async (facts) => {
      const turn = await routeTurn({
        node: id,
        rules: routing.rules,
        models: routing.routes,
        ...facts,
        risk: "risk" in facts ? facts.risk : routing.risk,
      });
      return { primary: turn.model, turn };
    };
  }
  if (!services.model) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow "${services.workflow.name}" has a model or agent step (${id}) but compile() was given no model`,
    );
  }
  const primary = routeTo(services.model, "primary", offered, id);
  return async () => ({ primary });
}

/**
 * Prepares a step's routing when the graph is compiled: the rules are checked against the
 * models given (so a misnamed model fails compile, not a run), and every model they name is
 * bound to the step's tools once.
 *
 * @throws {GovernorError} CONFIG_INVALID for malformed rules, a name not in `models`, or a
 *   named model that cannot call tools when the step offers some.
 */
export function stepRouting(
  id: string,
  rules: ModelRoutingRules,
  models: Readonly<Record<string, BaseChatModel>> | undefined,
  offered: readonly AnyTool[],
): StepRouting {
  const checked = checkNodeModelRules(id, rules, models);
  const names = new Set([checked.default, ...(checked.rules ?? []).map((rule) => rule.use)]);
  const routes: Record<string, ModelRoute<Invoke>> = {};
  for (const name of names) {
    // checkNodeModelRules proved each name is an own entry holding a model.
    const model = (models as Readonly<Record<string, BaseChatModel>>)[name] as BaseChatModel;
    Object.defineProperty(routes, name, {
      value: routeTo(model, "primary", offered, id, `"${name}"`),
      enumerable: true,
    });
  }
  return { rules: checked, routes, risk: offered.map((tool) => tool.risk).reduce(higherRisk, undefined) };
}

/**
 * A model as a step calls it: bound to the step's tools, named as it is priced
 * (`modelNameOf`), so usage and cost are counted under the model that ran, not its
 * routing name.
 *
 * @throws {GovernorError} CONFIG_INVALID when the step offers tools and the model cannot call them.
 */
export function routeTo(
  model: BaseChatModel,
  tier: "primary" | "cheap",
  offered: readonly AnyTool[],
  id: string,
  label: string = tier,
): ModelRoute<Invoke> {
  if (!offered.length) return { name: modelNameOf(model), tier, invoke: model.invoke.bind(model) as Invoke };
  if (typeof model.bindTools !== "function") {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The ${label} model for ${id} cannot call tools (it has no bindTools)`,
    );
  }
  const bound = model.bindTools(offered.map(toolSpec));
  return { name: modelNameOf(model), tier, invoke: bound.invoke.bind(bound) as Invoke };
}

/** The tool as a model API sees it: name, description and the contract as JSON Schema. */
function toolSpec(tool: AnyTool) {
  return {
    type: "function" as const,
    function: {
      name: tool.name,
      description: tool.description,
      parameters: z.toJSONSchema(tool.input) as Record<string, unknown>,
    },
  };
}
