import { defineIdentity } from "@governor/identity";

/**
 * Who acts on the mail desk. The assistant holds `mail:admin`, as help-desk automation often
 * does; only a mail operations lead may approve a destructive action.
 */
export const mailboxIdentity = defineIdentity({
  roles: {
    "mail-assistant": ["mail:read", "mail:admin"],
    "mail-ops-lead": ["mail:read", "mail:admin", "approvals:mail"],
  },
  agents: { "mailbox-assistant": { roles: ["mail-assistant"] } },
  approvers: { "mailops:lee": { roles: ["mail-ops-lead"] } },
});
