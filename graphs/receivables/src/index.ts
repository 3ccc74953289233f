export { receivablesIdentity } from "./approvers.js";
export {
  type ArAccount,
  type CrmUpdate,
  DISPUTE_CHECK_TTL_MS,
  type DisputeCheck,
  type Invoice,
  type NoticeKind,
  type NoticeRecord,
  ReceivablesLedger,
  type ReceivablesLedgerOptions,
} from "./ledger.js";
export { receivablesPolicy } from "./policy.js";
export { createReceivablesSample, receivablesSample } from "./sample.js";
export { COLLECTIONS_MARKER, receivablesScenario } from "./scenario.js";
export { readTools, writeTools } from "./tools.js";
export {
  createReceivablesWorkflow,
  RECEIVABLES_MAX_TURNS,
  type ReceivablesWorkflowOptions,
  receivablesState,
} from "./workflow.js";
