import type { AgentIdentity } from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { SPEAKERS } from "./speakers.js";

/** The tenant whose carrier rules the sample keeps: every fact lives in its partition. */
export const TENANT = "acme";

/**
 * The desk's speakers the dispatch agent may relay to memory, each at most at the weight the
 * directory gives them (`memory:attest:<speaker>:<weight>`): a write's authority is granted,
 * never taken from the writer's word.
 */
const ATTESTS = Object.values(SPEAKERS).map(({ by, weight }) => `memory:attest:${by}:${weight}`);

/**
 * The dispatch agent: it books carriers and reads the tenant's memory, and writes it only
 * through the workflow's memory-write step (the day's statement, relayed with its speaker's
 * authority). It holds no approval scope: a booking off the rule waits for a dispatch lead.
 */
export const dispatchAgent: AgentIdentity = {
  id: "dispatch",
  scopes: ["shipments:book", `memory:read:${TENANT}`, `memory:write:${TENANT}`, ...ATTESTS],
  roles: ["dispatcher"],
};

/**
 * Who answers the desk's approvals: a dispatch lead holds `approvals:dispatch`; a planner,
 * whose brainstorms are only suggestions, does not.
 */
export const dispatchApprovers = defineIdentity({
  roles: {
    dispatcher: ["shipments:book", `memory:read:${TENANT}`, `memory:write:${TENANT}`, ...ATTESTS],
    "dispatch-lead": ["approvals:dispatch"],
    planner: [`memory:read:${TENANT}`],
  },
  agents: { dispatch: { roles: ["dispatcher"] } },
  approvers: {
    "lead:omar": { roles: ["dispatch-lead"] },
    "planner:lena": { roles: ["planner"] },
  },
});
