import { defineIdentity } from "@governor/identity";

/**
 * Who acts on the claims desk. The agent assesses; payouts and approvals belong to a claims
 * manager; no role here may export policyholders in bulk.
 */
export const claimsIdentity = defineIdentity({
  roles: {
    "claims-assessor": ["claims:assess", "claims:read"],
    "claims-manager": ["claims:read", "claims:payout", "approvals:claims"],
  },
  agents: { "claims-agent": { roles: ["claims-assessor"] } },
  approvers: {
    "manager:rosa": { roles: ["claims-manager"] },
    "assessor:kim": { roles: ["claims-assessor"] },
  },
});
