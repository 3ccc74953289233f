/** A tool call the model proposed, as it travels through the governance nodes. */
export interface ProposedCall {
  /** The model's tool-call id; tool results answer it. */
  readonly id: string;
  readonly tool: string;
  /** Arguments as proposed, or after the contract parsed them (in checks and gates). */
  readonly args: Readonly<Record<string, unknown>>;
  /** The run's running count of proposed calls: part of the idempotency key. */
  readonly callIndex: number;
  /** The model node that proposed it. */
  readonly proposedBy: string;
}
