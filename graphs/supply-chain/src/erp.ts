/** A purchase-order change the ERP really made. */
export interface ErpChange {
  readonly changeId: string;
  readonly sku: string;
  readonly site: string;
  readonly vendorId: string;
  readonly quantity: number;
  readonly value: number;
  readonly idempotencyKey: string;
}

/**
 * The sample's ERP: the side effect the executor exists for and governance controls. Tests
 * count its changes to prove what did and did not happen (the specialist's attempt, a change
 * waiting for a manager).
 */
export class ErpLedger {
  readonly changes: ErpChange[] = [];

  order(change: Omit<ErpChange, "changeId">): ErpChange {
    const record = { changeId: `CHG-${this.changes.length + 1}`, ...change };
    this.changes.push(record);
    return record;
  }
}
