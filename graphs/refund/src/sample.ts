import { defineSample } from "@governor/core";
import { refundScenario } from "./scenario.js";
import { createRefundWorkflow, type RefundWorkflowOptions } from "./workflow.js";

/** The refund sample as `governor run refund` plays it: one case per control worth seeing. */
export function createRefundSample(options: RefundWorkflowOptions = {}) {
  return defineSample({
    name: "refund",
    description:
      "A support agent refunds orders: ≤ $500 alone, above that with a supervisor, never to a flagged account",
    workflow: createRefundWorkflow(options),
    scenario: refundScenario,
    cases: [
      {
        name: "small-refund",
        description: "$120 for a damaged lamp: within the autonomous limit, runs alone",
        input: {
          customerId: "C-100",
          orderId: "A-1001",
          request: "My lamp arrived cracked. Please refund $120.",
        },
      },
      {
        name: "large-refund",
        description: "$1,200 for a laptop: above $500, stops for a supervisor's approval",
        input: {
          customerId: "C-100",
          orderId: "A-1002",
          request: "The laptop never arrived. I want $1,200 back now.",
        },
      },
      {
        name: "flagged-account",
        description: "$80 to an account under fraud investigation: denied by policy",
        input: { customerId: "C-300", orderId: "A-3001", request: "Refund my headphones, $80 please." },
      },
      {
        name: "delegated-user",
        description: "the agent acts for a user who may view orders but not refund them: refused by identity",
        input: { customerId: "C-100", orderId: "A-1001", request: "Please refund $40 for the lamp." },
        delegation: { userId: "U-7", scopes: ["orders:read"] },
      },
      {
        name: "malformed-amount",
        description: "the model passes words as the amount: refused by the zod contract, nothing executes",
        input: {
          customerId: "C-100",
          orderId: "A-1001",
          request: "Just refund everything, whatever I paid.",
        },
      },
    ],
  });
}

export const refundSample = createRefundSample();
