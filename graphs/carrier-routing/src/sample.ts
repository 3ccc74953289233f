import { defineSample } from "@governor/core";
import { carrierRoutingScenario } from "./scenario.js";
import { type CarrierRoutingWorkflowOptions, createCarrierRoutingWorkflow } from "./workflow.js";

/**
 * The carrier-routing sample as `governor run carrier-routing` plays it: six days at Acme's
 * dispatch desk, one run (thread) each, the facts persisting in the store between them. Play
 * it on a fresh store: the days build on each other.
 */
export function createCarrierRoutingSample(options: CarrierRoutingWorkflowOptions = {}) {
  return defineSample({
    name: "carrier-routing",
    description:
      "A dispatch agent routes Zone B shipments by the carrier rule in memory: a brainstorm, a mandate, a change, a refused suggestion, a retraction and a late correction",
    workflow: createCarrierRoutingWorkflow(options),
    scenario: carrierRoutingScenario,
    cases: [
      {
        name: "brainstorm",
        description:
          "a planner wonders about regional couriers: stored as a suggestion, not a rule; the agent books the default carrier and a dispatch lead must confirm",
        input: {
          day: "2026-02-02",
          speaker: "planner:lena",
          says: "Should we try regional couriers for Zone B?",
          shipmentId: "SH-101",
        },
      },
      {
        name: "mandate",
        description:
          "the ops director sets the rule: Carrier X for Zone B; the booking follows it and runs alone",
        input: {
          day: "2026-02-03",
          speaker: "ops-director:maria",
          says: "Rule: use Carrier X for Zone B.",
          shipmentId: "SH-102",
        },
      },
      {
        name: "change-of-mandate",
        description: "Zone B moves to Carrier Y (UPDATE): the agent is told Carrier Y only",
        input: {
          day: "2026-02-10",
          speaker: "ops-director:maria",
          says: "From today Zone B goes with Carrier Y.",
          shipmentId: "SH-103",
        },
      },
      {
        name: "suggestion-against-mandate",
        description:
          "the planner's regional couriers idea again: refused, a suggestion never replaces a mandate; still Carrier Y",
        input: {
          day: "2026-02-12",
          speaker: "planner:lena",
          says: "Maybe regional couriers for Zone B after all?",
          shipmentId: "SH-104",
        },
      },
      {
        name: "retraction",
        description:
          "the rule is withdrawn (DELETE): the agent has no Zone B carrier and a dispatch lead must confirm",
        input: {
          day: "2026-02-20",
          speaker: "ops-director:maria",
          says: "We no longer have a rule for Zone B.",
          shipmentId: "SH-105",
        },
      },
      {
        name: "late-correction",
        description:
          "the rule from March 1 was actually Carrier Z: recorded today, true from March 1; the agent books Carrier Z (try `governor memory as-of`)",
        input: {
          day: "2026-03-09",
          speaker: "ops-director:maria",
          says: "Correction: from March 1 the rule for Zone B was actually Carrier Z.",
          shipmentId: "SH-106",
        },
      },
    ],
  });
}

export const carrierRoutingSample = createCarrierRoutingSample();
