import { defineIdentity } from "@governor/identity";

/**
 * Who acts on the support desk and who answers its approvals. The support agent reads and
 * writes orders and refunds, but holds no `accounts:admin`; a supervisor holds
 * `approvals:refunds`, so the agent cannot approve its own large refund.
 */
export const supportIdentity = defineIdentity({
  roles: {
    "support-agent": ["customers:read", "orders:read", "kb:read", "refunds:write", "orders:write"],
    "support-supervisor": ["approvals:refunds"],
    "budget-holder": ["budgets:extend"],
  },
  agents: { support: { roles: ["support-agent"] } },
  approvers: {
    "supervisor:sam": { roles: ["support-supervisor"] },
    "support:alex": { roles: ["support-agent"] },
    "finance:kim": { roles: ["budget-holder"] },
  },
});
