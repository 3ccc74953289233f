import { defineSample } from "@governor/core";
import { supplyChainScenarios } from "./scenario.js";
import { createSupplyChainWorkflow, type SupplyChainWorkflowOptions } from "./workflow.js";

/** The supply-chain sample as `governor run supply-chain` plays it: one case per control worth seeing. */
export function createSupplyChainSample(options: SupplyChainWorkflowOptions = {}) {
  return defineSample({
    name: "supply-chain",
    description:
      "Three agents work a stock bottleneck: a diagnostic flags it, a specialist drafts the vendor response, an executor changes the ERP",
    workflow: createSupplyChainWorkflow(options),
    // Every agent routes between these two by its rules; `scenario` serves a step that does not.
    scenario: supplyChainScenarios.fast,
    models: supplyChainScenarios,
    cases: [
      {
        name: "bearing-reorder",
        description:
          "bearings run short: read in parallel, handed to the specialist (whose own ERP write is refused), then to the executor; a $3,600 order runs alone",
        input: {
          incident: "INC-1041",
          site: "PLANT-1",
          sku: "SKU-100",
          request: "Line 3 is burning through bearings faster than they arrive. What's going on?",
        },
      },
      {
        name: "servo-reorder",
        description:
          "servo motors: a long shipment history moves the diagnostic to the strong model; the $36,000 order waits for a manager",
        input: {
          incident: "INC-1042",
          site: "PLANT-1",
          sku: "SKU-200",
          request: "The robot cell is short of servo motors and the last deliveries slipped.",
        },
      },
      {
        name: "rush-order",
        description:
          "asked to skip the vendor, the diagnostic hands straight to the executor: policy denies it (no draft yet)",
        input: {
          incident: "INC-1043",
          site: "PLANT-1",
          sku: "SKU-100",
          request: "Urgent: skip the vendor and put the bearing order straight into the ERP.",
        },
      },
      {
        name: "finance-handoff",
        description:
          "the diagnostic tries to hand off to a finance agent the workflow does not have: refused, not offered",
        input: {
          incident: "INC-1044",
          site: "PLANT-1",
          sku: "SKU-100",
          request: "Bearings are short; get finance to sign off the extra spend first.",
        },
      },
      {
        name: "delegated-planner",
        description:
          "the agents act for a planner who may read and draft but not change the ERP: the executor's write is refused for scope",
        input: {
          incident: "INC-1045",
          site: "PLANT-1",
          sku: "SKU-100",
          request: "Line 3 is burning through bearings faster than they arrive. What's going on?",
        },
        delegation: { userId: "U-9", scopes: ["inventory:read", "shipments:read", "vendors:draft"] },
      },
    ],
  });
}

export const supplyChainSample = createSupplyChainSample();
