/**
 * A rough token count (about four characters a token). The scenario model reports it as its
 * usage, as an endpoint reports its own count; where a model reports nothing, budgets count
 * with the real tokenizer (`countTokens`).
 */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
