import { defineIdentity } from "@governor/identity";

/**
 * Who acts on the receivables desk and who answers its approvals. The collections agent reads
 * invoices and disputes, sends notices and updates the CRM; only a credit controller
 * (`approvals:collections`) signs off a final default notice, and only finance extends budgets.
 */
export const receivablesIdentity = defineIdentity({
  roles: {
    "ar-agent": ["ar:read", "disputes:read", "notices:send", "crm:write"],
    "credit-controller": ["approvals:collections"],
    "budget-holder": ["budgets:extend"],
  },
  agents: { collections: { roles: ["ar-agent"] } },
  approvers: {
    "controller:ines": { roles: ["credit-controller"] },
    "collections:bot-owner": { roles: ["ar-agent"] },
    "finance:kim": { roles: ["budget-holder"] },
  },
});
