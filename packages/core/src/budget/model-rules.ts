import type { ToolRisk } from "../tools/define-tool.js";

/**
 * Declared model routing for a model or agent step: which of the models given to compile
 * (or the runtime) as `models` answers each turn. Rules are tried in order and the first
 * that matches picks the model; otherwise `default` answers. The budget's own downgrade
 * (`downgradeAt`, the cheap model) still applies on top, so a budget can force the cheaper
 * model before it runs out.
 *
 * @example
 * models: {
 *   default: "fast",
 *   rules: [
 *     { use: "fast", budgetRemainingBelow: 0.2, reason: "budget nearly spent" },
 *     { use: "strong", contextTokensAbove: 6_000, reason: "beyond the fast model's window" },
 *     { use: "strong", toolRiskAtLeast: "write", reason: "deciding on a write" },
 *   ],
 * }
 */
export interface ModelRoutingRules {
  /** The name (a key of `models`) that answers when no rule matches. */
  readonly default: string;
  readonly rules?: readonly ModelRule[];
}

/** One routing rule: every condition it declares must hold for it to match. */
export interface ModelRule {
  /** The name (a key of `models`) of the model this rule picks. */
  readonly use: string;
  /** Matches when the prompt, counted with the tokenizer, is longer than this many tokens. */
  readonly contextTokensAbove?: number;
  /**
   * Matches when the step is about risk this high: the calls of the previous turn (in an
   * agent loop), or the tools the step offers (in a model step), include one of this risk or
   * higher (read < write < destructive).
   */
  readonly toolRiskAtLeast?: ToolRisk;
  /** Matches when less than this fraction (0–1) of the run's tightest budget remains. */
  readonly budgetRemainingBelow?: number;
  /** Why, in words: recorded with the choice. */
  readonly reason?: string;
}
