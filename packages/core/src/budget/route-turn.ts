import { countMessageTokens } from "@governor/models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ToolRisk } from "../tools/define-tool.js";
import { budgetFraction } from "./budget-check.js";
import { checkNodeModelRules } from "./check-model-rules.js";
import type { ModelRoutingRules } from "./model-rules.js";
import type { RunBudget } from "./run-budget.js";
import type { RunUsage } from "./run-usage.js";
import { needsContextTokens, selectModel } from "./select-model.js";

/** One turn of a model or agent step, as its routing rules see it. */
export interface RouteTurnInput<TModel extends { invoke: unknown }> {
  /** The step's id, named in errors. */
  readonly node: string;
  readonly rules: ModelRoutingRules;
  /** The models given to compile or the runtime, by the names the rules use. */
  readonly models: Readonly<Record<string, TModel>> | undefined;
  /** What the model would read this turn (counted only when a rule is on context size). */
  readonly prompt: readonly BaseMessage[];
  /** The run's checkpointed usage and budget: the same on a re-run, so the same choice. */
  readonly usage: RunUsage;
  readonly budget: RunBudget;
  /** The highest risk in scope: the previous turn's calls (agent) or the offered tools (model step). */
  readonly risk?: ToolRisk;
  /** The prompt's token count when already counted (an earlier attempt of the same turn). */
  readonly contextTokens?: number;
}

/** The model that answers this turn, by its routing name, and why. */
export interface RoutedTurn<TModel> {
  readonly name: string;
  readonly model: TModel;
  readonly reason: string;
  /** The index of the rule that matched; absent when the default answered. */
  readonly rule?: number;
  /**
   * The prompt's token count, when a rule needed it: pass it to `planModelCall` as
   * `inputTokens` so the prompt is not counted twice.
   */
  readonly contextTokens?: number;
}

/**
 * Chooses the model for one turn by the step's declared rules. Every name the rules use is
 * checked, not only the one chosen, so a misnamed model fails on the first turn rather
 * than on the rare turn its rule matches. The budget's own downgrade (`planModelCall` with
 * the cheap model) applies after this, on the model chosen here as the primary.
 *
 * @throws {GovernorError} CONFIG_INVALID when the rules are malformed, or a rule or the
 *   default names a model not in `models` (the message lists the names given).
 * @example
 * const turn = await routeTurn({ node: "triage", rules: node.models, models, prompt, usage, budget, risk });
 * const plan = await planModelCall({ prompt, usage, budget, primary: routeOf(turn.name, turn.model),
 *   cheap, prices, needsCost, inputTokens: turn.contextTokens });
 */
export async function routeTurn<TModel extends { invoke: unknown }>(
  input: RouteTurnInput<TModel>,
): Promise<RoutedTurn<TModel>> {
  const rules = checkNodeModelRules(input.node, input.rules, input.models);
  const contextTokens = needsContextTokens(rules)
    ? (input.contextTokens ?? (await countMessageTokens(input.prompt)))
    : undefined;
  const choice = selectModel(rules, {
    contextTokens,
    risk: input.risk,
    remainingFraction: 1 - budgetFraction(input.usage, input.budget),
  });
  // checkNodeModelRules proved every named model is an own entry of `models`.
  const model = (input.models as Readonly<Record<string, TModel>>)[choice.use] as TModel;
  return {
    name: choice.use,
    model,
    reason: choice.reason,
    ...(choice.rule !== undefined ? { rule: choice.rule } : {}),
    ...(contextTokens !== undefined ? { contextTokens } : {}),
  };
}
