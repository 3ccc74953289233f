export { answeredBy, modelNameOf } from "./model-name.js";
export { type MeasuredUsage, measureUsage, reportedUsage } from "./model-usage.js";
export {
  costOf,
  DEFAULT_PRICES,
  type ModelPrice,
  OFFLINE_SCENARIO_PRICES,
  type PriceTable,
  priceOf,
  type TokenUsage,
} from "./pricing.js";
export type { ResolveChatModelOptions, ResolvedChatModel } from "./resolve-chat-model.js";
export { resolveChatModel } from "./resolve-chat-model.js";
export type {
  ScenarioScript,
  ScenarioTurn,
  ScenarioView,
  ScriptedReply,
  ScriptedToolCall,
} from "./scenario-script.js";
export { defineScenario } from "./scenario-script.js";
export { countMessageTokens, countTokens, messageText } from "./token-count.js";
export { estimateTokens } from "./token-estimate.js";
