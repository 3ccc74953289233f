import type { AgentIdentity } from "@governor/core";
import { defineIdentity } from "@governor/identity";

/** The tenant whose carrier rules the sample keeps: every fact lives in its partition. */
export const TENANT = "acme";

/**
 * The dispatch agent: it books carriers and reads the tenant's memory, and may write it only
 * through the workflow's memory-write step (the statements of the day, with their speakers'
 * authority). It holds no approval scope: a booking off the rule waits for a dispatch lead.
 */
export const dispatchAgent: AgentIdentity = {
  id: "dispatch",
  scopes: ["shipments:book", `memory:read:${TENANT}`, `memory:write:${TENANT}`],
  roles: ["dispatcher"],
};

/**
 * Who answers the desk's approvals: a dispatch lead holds `approvals:dispatch`; a planner,
 * whose brainstorms are only suggestions, does not.
 */
export const dispatchApprovers = defineIdentity({
  roles: {
    dispatcher: ["shipments:book", `memory:read:${TENANT}`, `memory:write:${TENANT}`],
    "dispatch-lead": ["approvals:dispatch"],
    planner: [`memory:read:${TENANT}`],
  },
  agents: { dispatch: { roles: ["dispatcher"] } },
  approvers: {
    "lead:omar": { roles: ["dispatch-lead"] },
    "planner:lena": { roles: ["planner"] },
  },
});
