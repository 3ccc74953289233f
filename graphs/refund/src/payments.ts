/** A refund the payments system really made. */
export interface RefundRecord {
  readonly refundId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly idempotencyKey: string;
}

/**
 * The sample's payments system: the side effect governance exists to control. Tests count
 * its refunds to prove what did and did not happen.
 */
export class PaymentsLedger {
  readonly refunds: RefundRecord[] = [];

  refund(orderId: string, amount: number, idempotencyKey: string): RefundRecord {
    const record = { refundId: `R-${this.refunds.length + 1}`, orderId, amount, idempotencyKey };
    this.refunds.push(record);
    return record;
  }
}
