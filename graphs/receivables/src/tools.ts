import { defineTool } from "@governor/core";
import { z } from "zod";
import type { ReceivablesLedger } from "./ledger.js";

const invoiceId = z.string().regex(/^INV-\d{3}$/, "an invoice id looks like INV-123");
const accountId = z.string().regex(/^[A-Z]+-\d+$/, "an account id looks like ACME-7");

/** Reads: risk "read", so policy lets them run without a human. */
export function readTools(ledger: ReceivablesLedger) {
  return [
    defineTool({
      name: "retrieve_unpaid_invoices",
      description: "List an account's unpaid invoices with amount and days overdue.",
      input: z.object({ accountId }).strict(),
      scopes: ["ar:read"],
      risk: "read",
      idempotent: true,
      handler: ({ accountId }) => ({ accountId, invoices: ledger.unpaid(accountId) }),
    }),
    defineTool({
      name: "check_dispute_status",
      description:
        "Ask the dispute desk whether an invoice is disputed. Required before any final default notice.",
      input: z.object({ invoiceId }).strict(),
      scopes: ["disputes:read"],
      risk: "read",
      // The desk logs each check; asking twice only refreshes the log.
      idempotent: true,
      handler: ({ invoiceId }) => {
        const { disputed, reason } = ledger.checkDispute(invoiceId);
        return { invoiceId, disputed, ...(reason ? { reason } : {}) };
      },
    }),
    defineTool({
      name: "draft_reminder",
      description: "Draft the text of a payment reminder for an invoice. Sends nothing.",
      input: z.object({ invoiceId, tone: z.enum(["friendly", "firm"]) }).strict(),
      scopes: ["ar:read"],
      risk: "read",
      idempotent: true,
      handler: ({ invoiceId, tone }) => {
        const invoice = ledger.invoice(invoiceId);
        if (!invoice) return { error: `no invoice ${invoiceId}` };
        const opening = tone === "friendly" ? "A friendly reminder:" : "Payment is now overdue:";
        return {
          invoiceId,
          body: `${opening} invoice ${invoice.id} for $${invoice.amount} is ${invoice.daysOverdue} days past due.`,
        };
      },
    }),
  ];
}

/** Writes: each passes its precondition and the policy gate before anything is sent or changed. */
export function writeTools(ledger: ReceivablesLedger) {
  return [
    defineTool({
      name: "send_notice",
      description:
        "Send a notice about an unpaid invoice: a reminder, or a final default notice (the last step before collections).",
      input: z
        .object({
          invoiceId,
          kind: z.enum(["reminder", "final_default"]),
          body: z.string().min(10).max(2000),
        })
        .strict(),
      scopes: ["notices:send"],
      risk: "write",
      handler: ({ invoiceId, kind }, { idempotencyKey }) => {
        const notice = ledger.send(invoiceId, kind, idempotencyKey);
        return { noticeId: notice.noticeId, invoiceId, kind };
      },
    }),
    defineTool({
      name: "update_crm",
      description: "Record the collection status of an account in the CRM, with a note.",
      input: z
        .object({
          accountId,
          status: z.enum(["reminded", "final_notice_sent", "on_hold"]),
          note: z.string().min(3).max(1000),
        })
        .strict(),
      scopes: ["crm:write"],
      risk: "write",
      // Setting the same status and note twice changes nothing.
      idempotent: true,
      handler: (update) => ledger.updateCrm(update),
    }),
  ];
}
