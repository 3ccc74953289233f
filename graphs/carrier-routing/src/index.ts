export { type Booking, CARRIERS, DEFAULT_CARRIER, DispatchDesk, type Shipment } from "./dispatch-desk.js";
export { dispatchAgent, dispatchApprovers, TENANT } from "./identity.js";
export { carrierKey, type FactView, mandateInFacts, mandateInStore } from "./mandate.js";
export { carrierRoutingPolicy } from "./policy.js";
export { carrierRoutingSample, createCarrierRoutingSample } from "./sample.js";
export { carrierRoutingScenario, DISPATCH_MARKER } from "./scenario.js";
export { SPEAKER_NAMES, SPEAKERS, type Speaker } from "./speakers.js";
export { type Statement, speakerAuthority, statementMessage } from "./statement.js";
export { bookShipmentTool } from "./tools.js";
export {
  type CarrierRoutingWorkflowOptions,
  carrierRoutingState,
  createCarrierRoutingWorkflow,
} from "./workflow.js";
