import { defineIdentity } from "@governor/identity";

/**
 * Who may answer the refund desk's approval requests. A supervisor holds
 * `approvals:refunds`; a support agent does not, so an agent cannot approve its own refund.
 * Only finance may grant a run more model budget (`budgets:extend`).
 */
export const refundApprovers = defineIdentity({
  roles: {
    "refund-supervisor": ["approvals:refunds"],
    "budget-holder": ["budgets:extend"],
    "support-agent": ["refunds:write", "orders:read"],
  },
  agents: { support: { roles: ["support-agent"] } },
  approvers: {
    "supervisor:sam": { roles: ["refund-supervisor"] },
    "support:alex": { roles: ["support-agent"] },
    "finance:kim": { roles: ["budget-holder"] },
  },
});
