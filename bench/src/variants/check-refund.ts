import { isInterrupted } from "@langchain/langgraph";
import type { RefundVariant } from "./refund-variant.js";

/**
 * Runs a variant once and proves it did the work being timed: it completed (no interrupt),
 * the ledger gained exactly one refund of $120 on A-1001, the state names that refund and
 * the customer was told. A benchmark of a path that silently short-circuits measures nothing.
 *
 * @throws {Error} naming the variant and every problem found.
 */
export async function checkRefundOnce(variant: RefundVariant, threadId: string): Promise<void> {
  const before = variant.ledger.refunds.length;
  const state = await variant.run(threadId);
  const problems: string[] = [];
  if (isInterrupted(state as unknown)) problems.push("it stopped at an interrupt instead of completing");
  const made = variant.ledger.refunds.length - before;
  if (made !== 1) problems.push(`it made ${made} refunds, expected 1`);
  const record = variant.ledger.refunds.at(-1);
  if (record?.orderId !== "A-1001" || record.amount !== 120)
    problems.push(`the ledger's last refund is ${JSON.stringify(record)}`);
  const refund = state.refund as { refundId?: string } | undefined;
  if (refund?.refundId !== record?.refundId)
    problems.push(`state.refund is ${JSON.stringify(refund)}, not the ledger's refund`);
  if (typeof state.reply !== "string" || !state.reply.startsWith("Done: refund"))
    problems.push(`the reply is ${JSON.stringify(state.reply)}`);
  problems.push(...(variant.verify?.(state) ?? []));
  if (problems.length)
    throw new Error(`Variant "${variant.name}" did not run the small refund: ${problems.join("; ")}`);
}

/** After timing: every timed and warm-up run must have refunded too. */
export function checkRefundCount(variant: RefundVariant, expected: number): void {
  const made = variant.ledger.refunds.length;
  if (made !== expected)
    throw new Error(`Variant "${variant.name}" made ${made} refunds over ${expected} runs`);
}
