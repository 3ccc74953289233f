import { type PaymentsLedger, refundSample } from "@governor/sample-refund";

/** One way of running the refund desk, timed against the others. */
export interface RefundVariant {
  readonly name: string;
  /** The payments system this variant refunds through: counting its refunds proves the path ran. */
  readonly ledger: PaymentsLedger;
  /** One `invoke()` on a new thread; resolves to the final state. */
  run(threadId: string): Promise<Record<string, unknown>>;
  /** Variant-specific proof that a run took the path being measured: the problems found, if any. */
  verify?(state: Record<string, unknown>): string[];
  close(): void;
}

const smallRefund = refundSample.cases.find((c) => c.name === "small-refund");
if (!smallRefund) throw new Error('The refund sample has no "small-refund" case');

/** The "small-refund" case's input: $120 on A-1001, within the autonomous limit, so no approval stops it. */
export const SMALL_REFUND_INPUT: Readonly<Record<string, unknown>> = smallRefund.input;
