export type { PolicyDecision, PolicyEffect, PolicyEngine, PolicyRequest } from "./decision.js";
export type { PolicyRule } from "./rule-engine.js";
export { RulePolicyEngine } from "./rule-engine.js";
