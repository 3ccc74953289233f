/**
 * The context the sample's fast model is deployed for, in tokens. Small on purpose, so the
 * offline scenario shows the switch: reading the servo's three-year shipment history takes
 * the diagnostic's conversation past it, the bearing's short one does not.
 */
export const FAST_MODEL_WINDOW_TOKENS = 1_500;

/** Below this fraction of the run's tightest budget, every turn goes to the fast model. */
export const BUDGET_FLOOR = 0.2;

/**
 * Which of the run's models answers a turn (a ModelRoutingRules of @governor/core); the first
 * matching rule wins. The budget rule
 * comes first on purpose: when the run nears its limit, the fast model answers even a turn
 * the strong one would otherwise take, so the run finishes instead of stopping for budget.
 */
export const supplyChainRouting = {
  default: "fast",
  rules: [
    {
      use: "fast",
      budgetRemainingBelow: BUDGET_FLOOR,
      reason: "less than 20% of the run's budget is left",
    },
    {
      use: "strong",
      contextTokensAbove: FAST_MODEL_WINDOW_TOKENS,
      reason: "the conversation outgrew the fast model's window",
    },
    { use: "strong", toolRiskAtLeast: "write", reason: "the turn is about a write" },
  ],
} as const;

/** The vendor specialist writes to a person outside the company: always the strong model. */
export const specialistRouting = {
  default: "strong",
  rules: [
    {
      use: "fast",
      budgetRemainingBelow: BUDGET_FLOOR,
      reason: "less than 20% of the run's budget is left",
    },
  ],
} as const;

/**
 * What the two offline models cost, apart like a small and a large hosted model (the default
 * table prices every scenario model alike), so a run's cost shows what routing saved. Pass
 * it as GovernorRuntime's (or compile's) `prices`.
 */
export const supplyChainPrices = {
  "scenario:supply-chain-fast": { inputPerMTok: 1, outputPerMTok: 4 },
  "scenario:supply-chain-strong": { inputPerMTok: 10, outputPerMTok: 40 },
} as const;
