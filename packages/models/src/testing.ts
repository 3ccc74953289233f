export type { ScenarioCallOptions } from "./scenario-chat-model.js";
export { ScenarioChatModel, ScenarioExhaustedError } from "./scenario-chat-model.js";
export type { ScenarioScript, ScenarioTurn, ScenarioView, ScriptedReply } from "./scenario-script.js";
export { defineScenario } from "./scenario-script.js";
