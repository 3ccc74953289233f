/**
 * A rough token count (about four characters a token) for text a model did not measure.
 * The scenario model reports it as usage; exact counting with a tokenizer comes with budgets.
 */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
