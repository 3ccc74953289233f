/** A response to a vendor, drafted for a buyer to send: nothing leaves the plant from here. */
export interface VendorDraft {
  readonly draftId: string;
  /** The supply incident the draft answers: a draft for last month's incident unlocks nothing today. */
  readonly incident: string;
  readonly vendorId: string;
  readonly sku: string;
  readonly message: string;
}

/**
 * Where the specialist's drafts land. It is also a system of record for the workflow: the
 * ERP is only changed, and the run only handed to the executor, once a draft exists for the
 * incident's item (both read it here, not from the conversation the model could talk round).
 */
export class VendorOutbox {
  readonly drafts: VendorDraft[] = [];

  draft(entry: Omit<VendorDraft, "draftId">): VendorDraft {
    const record = { draftId: `DR-${this.drafts.length + 1}`, ...entry };
    this.drafts.push(record);
    return record;
  }

  hasDraftFor(incident: string, sku: string): boolean {
    return this.drafts.some((draft) => draft.incident === incident && draft.sku === sku);
  }
}
