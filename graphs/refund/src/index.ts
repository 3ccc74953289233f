export { refundApprovers } from "./approvers.js";
export { type Account, type Crm, type Order, sampleCrm } from "./crm.js";
export { PaymentsLedger, type RefundRecord } from "./payments.js";
export { AUTONOMOUS_REFUND_LIMIT, refundPolicy } from "./policy.js";
export { createRefundSample, refundSample } from "./sample.js";
export { PROPOSE_MARKER, REPLY_MARKER, refundScenario } from "./scenario.js";
export { issueRefundTool, REFUND_HARD_CAP } from "./tools.js";
export { createRefundWorkflow, type RefundWorkflowOptions, refundState } from "./workflow.js";
