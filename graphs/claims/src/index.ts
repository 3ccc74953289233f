export { claimsIdentity } from "./approvers.js";
export { type AssessmentUpdate, ClaimsDesk, type Payout, type PolicyholderExport } from "./claims-desk.js";
export { type Assessment, type Claim, type ClaimsRecords, sampleClaimsRecords } from "./claims-records.js";
export { APPROVAL_THRESHOLD, claimsPolicy } from "./policy.js";
export { claimsSample, createClaimsSample } from "./sample.js";
export { ASSESS_MARKER, claimsScenario, SUMMARY_MARKER } from "./scenario.js";
export {
  ASSESSMENT_HARD_CAP,
  authorizePayoutTool,
  exportPolicyholdersTool,
  updateAssessmentTool,
} from "./tools.js";
export { type ClaimsWorkflowOptions, claimsState, createClaimsWorkflow } from "./workflow.js";
