export { type ErpChange, ErpLedger } from "./erp.js";
export {
  diagnosticAgent,
  executorAgent,
  specialistAgent,
  supplyChainAgent,
  supplyChainApprovers,
} from "./identity.js";
export { ERP_APPROVAL_THRESHOLD, supplyChainPolicy } from "./policy.js";
export { type Item, type PlantRecords, type Shipment, samplePlantRecords, type Vendor } from "./records.js";
export {
  BUDGET_FLOOR,
  FAST_MODEL_WINDOW_TOKENS,
  specialistRouting,
  supplyChainPrices,
  supplyChainRouting,
} from "./routing.js";
export { createSupplyChainSample, supplyChainSample } from "./sample.js";
export { DIAGNOSTIC_MARKER, EXECUTOR_MARKER, SPECIALIST_MARKER, supplyChainScenarios } from "./scenario.js";
export {
  draftVendorResponseTool,
  ERP_HARD_CAP_UNITS,
  readInventoryTool,
  readShipmentsTool,
  updateErpTool,
} from "./tools.js";
export { type VendorDraft, VendorOutbox } from "./vendor-outbox.js";
export { createSupplyChainWorkflow, type SupplyChainWorkflowOptions, supplyChainState } from "./workflow.js";
