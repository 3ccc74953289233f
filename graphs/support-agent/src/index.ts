export { supportIdentity } from "./approvers.js";
export { AUTONOMOUS_REFUND_LIMIT, supportPolicy } from "./policy.js";
export { createSupportSample, supportSample } from "./sample.js";
export { SUPPORT_MARKER, supportScenario } from "./scenario.js";
export {
  type Address,
  type Customer,
  type Order,
  type OrderStatus,
  type RefundRecord,
  SupportSystems,
} from "./support-systems.js";
export { deleteAccountTool, REFUND_HARD_CAP, readTools, writeTools } from "./tools.js";
export {
  createSupportWorkflow,
  SUPPORT_MAX_TURNS,
  type SupportWorkflowOptions,
  supportState,
} from "./workflow.js";
