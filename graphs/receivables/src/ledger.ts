/** A customer account in accounts receivable. */
export interface ArAccount {
  readonly id: string;
  readonly name: string;
}

/** An invoice the customer has not paid. */
export interface Invoice {
  readonly id: string;
  readonly accountId: string;
  readonly amount: number;
  readonly daysOverdue: number;
}

/** What the dispute desk answered when asked about an invoice, and when. */
export interface DisputeCheck {
  readonly invoiceId: string;
  readonly disputed: boolean;
  readonly reason?: string;
  readonly checkedAt: number;
}

export type NoticeKind = "reminder" | "final_default";

/** A notice the mail room really sent. */
export interface NoticeRecord {
  readonly noticeId: string;
  readonly invoiceId: string;
  readonly kind: NoticeKind;
  readonly idempotencyKey: string;
}

export interface CrmUpdate {
  readonly accountId: string;
  readonly status: string;
  readonly note: string;
}

/** How long a dispute check stays good for a final notice: disputes are opened every day. */
export const DISPUTE_CHECK_TTL_MS = 24 * 60 * 60 * 1000;

const ACCOUNTS: readonly ArAccount[] = [{ id: "ACME-7", name: "Acme Tools Ltd" }];

const INVOICES: readonly Invoice[] = [
  { id: "INV-101", accountId: "ACME-7", amount: 4200, daysOverdue: 75 },
  { id: "INV-102", accountId: "ACME-7", amount: 1800, daysOverdue: 92 },
  { id: "INV-103", accountId: "ACME-7", amount: 600, daysOverdue: 20 },
];

const DISPUTES: Readonly<Record<string, string>> = {
  "INV-102": "pallet arrived damaged; credit note requested",
};

export interface ReceivablesLedgerOptions {
  /** The clock dispute checks are stamped and judged by. Default: Date.now. */
  readonly now?: () => number;
}

/**
 * The accounts-receivable systems of record in memory: the ledger of unpaid invoices, the
 * dispute desk (which logs every status check it answers), the mail room and the CRM. Sent
 * notices and CRM updates are the real effects the tests count.
 */
export class ReceivablesLedger {
  readonly notices: NoticeRecord[] = [];
  readonly crmUpdates: CrmUpdate[] = [];
  readonly #checks = new Map<string, DisputeCheck>();
  readonly #disputes: Map<string, string>;
  readonly #now: () => number;

  constructor(options: ReceivablesLedgerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#disputes = new Map(Object.entries(DISPUTES));
  }

  account(accountId: string): ArAccount | undefined {
    return ACCOUNTS.find((account) => account.id === accountId);
  }

  unpaid(accountId: string): Invoice[] {
    return INVOICES.filter((invoice) => invoice.accountId === accountId);
  }

  invoice(invoiceId: string): Invoice | undefined {
    return INVOICES.find((invoice) => invoice.id === invoiceId);
  }

  /** Whether the invoice is in dispute right now: the truth a notice is decided on. */
  disputed(invoiceId: string): boolean {
    return this.#disputes.has(invoiceId);
  }

  /** A customer disputes an invoice (the dispute desk's own intake, not an agent's tool). */
  openDispute(invoiceId: string, reason: string): void {
    this.#disputes.set(invoiceId, reason);
  }

  /** The dispute desk answers a status check, and logs it: the record a final notice requires. */
  checkDispute(invoiceId: string): DisputeCheck {
    const reason = this.#disputes.get(invoiceId);
    const check = { invoiceId, disputed: reason !== undefined, reason, checkedAt: this.#now() };
    this.#checks.set(invoiceId, check);
    return check;
  }

  /** The latest logged dispute check of an invoice, if one is recent enough to act on. */
  freshCheck(invoiceId: string): DisputeCheck | undefined {
    const check = this.#checks.get(invoiceId);
    return check && this.#now() - check.checkedAt <= DISPUTE_CHECK_TTL_MS ? check : undefined;
  }

  send(invoiceId: string, kind: NoticeKind, idempotencyKey: string): NoticeRecord {
    const notice = { noticeId: `N-${this.notices.length + 1}`, invoiceId, kind, idempotencyKey };
    this.notices.push(notice);
    return notice;
  }

  updateCrm(update: CrmUpdate): CrmUpdate {
    this.crmUpdates.push(update);
    return update;
  }
}
