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
export { estimateTokens } from "./token-estimate.js";
