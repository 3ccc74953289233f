export { DeferredCedarPolicyEngine } from "./cedar-deferred.js";
export type { CedarSource, CedarSources } from "./cedar-files.js";
export { readCedarDirectory, readCedarFiles } from "./cedar-files.js";
export { CedarPolicyEngine } from "./cedar-policy-engine.js";
export type { CedarPolicyInfo } from "./cedar-policy-set.js";
export type {
  ContractMismatch,
  ContractTool,
  PolicyDecision,
  PolicyEffect,
  PolicyEngine,
  PolicyEvaluation,
  PolicyExplanation,
  PolicyOutcome,
  PolicyRequest,
} from "./decision.js";
export { explain } from "./explain.js";
export type { PolicyRule } from "./rule-engine.js";
export { RulePolicyEngine } from "./rule-engine.js";
