import { GovernorError } from "@governor/errors";
import type { ToolRisk } from "../tools/define-tool.js";
import type { ModelRoutingRules, ModelRule } from "./model-rules.js";

/** What routing rules are decided on, for one turn. */
export interface RoutingFacts {
  /**
   * The prompt's length, counted with the tokenizer. Needed only when a rule declares
   * `contextTokensAbove` (counting is not free; see `needsContextTokens`).
   */
  readonly contextTokens?: number;
  /** The highest risk in scope (read < write < destructive); undefined when no tool is. */
  readonly risk?: ToolRisk;
  /** How much of the run's tightest budget is left: 1 − `budgetFraction` (below 0 when overrun). */
  readonly remainingFraction: number;
}

/** Which model (a key of `models`) answers a turn, and why. */
export interface ModelChoice {
  readonly use: string;
  readonly reason: string;
  /** The index in `rules` of the rule that matched; absent when the default answered. */
  readonly rule?: number;
}

/** The reason recorded when no rule matched. */
export const DEFAULT_ROUTE_REASON = "default model";

const RISK_RANK: Readonly<Record<ToolRisk, number>> = { read: 0, write: 1, destructive: 2 };

/** The higher of two risks; undefined only when both are. */
export function higherRisk(a: ToolRisk | undefined, b: ToolRisk | undefined): ToolRisk | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RISK_RANK[a] >= RISK_RANK[b] ? a : b;
}

/** True when some rule needs the prompt's token count. */
export function needsContextTokens(rules: ModelRoutingRules): boolean {
  return (rules.rules ?? []).some((rule) => rule.contextTokensAbove !== undefined);
}

/**
 * Picks the model for one turn: the first rule whose declared conditions all hold, else
 * the default. Pure, so a node re-run on resume (same checkpointed usage, same prompt)
 * picks the same model.
 *
 * A rule cannot be decided on a fact that is missing: rather than guess (and so silently
 * run the wrong model), a rule on context size without a token count is an error.
 *
 * @throws {GovernorError} CONFIG_INVALID when a rule declares `contextTokensAbove` and
 *   `facts.contextTokens` is not a finite number.
 * @example
 * selectModel({ default: "fast", rules: [{ use: "strong", contextTokensAbove: 6000 }] },
 *   { contextTokens: 7000, remainingFraction: 1 }); // { use: "strong", rule: 0, reason: "…" }
 */
export function selectModel(rules: ModelRoutingRules, facts: RoutingFacts): ModelChoice {
  for (const [index, rule] of (rules.rules ?? []).entries()) {
    const held = conditionsHeld(rule, facts, index);
    if (held) {
      const because = held.join(", ");
      return { use: rule.use, rule: index, reason: rule.reason ? `${rule.reason} (${because})` : because };
    }
  }
  return { use: rules.default, reason: DEFAULT_ROUTE_REASON };
}

/** What held, in words, when every condition the rule declares holds; undefined otherwise. */
function conditionsHeld(rule: ModelRule, facts: RoutingFacts, index: number): string[] | undefined {
  const held: string[] = [];
  if (rule.contextTokensAbove !== undefined) {
    const tokens = facts.contextTokens;
    if (typeof tokens !== "number" || !Number.isFinite(tokens)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Model routing rule ${index} (use "${rule.use}") is on context size, but no token count was given for the prompt`,
        { rule: index },
      );
    }
    if (!(tokens > rule.contextTokensAbove)) return undefined;
    held.push(`context ${tokens} tokens > ${rule.contextTokensAbove}`);
  }
  if (rule.toolRiskAtLeast !== undefined) {
    const risk = facts.risk;
    if (risk === undefined || RISK_RANK[risk] < RISK_RANK[rule.toolRiskAtLeast]) return undefined;
    held.push(`tool risk ${risk} ≥ ${rule.toolRiskAtLeast}`);
  }
  if (rule.budgetRemainingBelow !== undefined) {
    // NaN (a budget that cannot be read) never matches: `NaN < x` is false.
    if (!(facts.remainingFraction < rule.budgetRemainingBelow)) return undefined;
    held.push(
      `${percent(facts.remainingFraction)} of the budget left < ${percent(rule.budgetRemainingBelow)}`,
    );
  }
  // A rule with no condition would match every turn: checkModelRules refuses it at compile.
  return held.length ? held : undefined;
}

function percent(fraction: number): string {
  return `${Math.round(Math.max(0, fraction) * 100)}%`;
}
