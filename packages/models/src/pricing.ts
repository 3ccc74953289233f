/** What a model costs, in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/**
 * Prices by model name. A key ending in `*` prices every name that starts with the rest;
 * otherwise a key prices its exact name and the dated snapshots that extend it
 * (`gpt-4o-mini` prices `gpt-4o-mini-2024-07-18`). The longest matching key wins.
 */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Token counts of one model call, or of a whole run. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * List prices of common OpenAI models, and a made-up nonzero price for the offline scenario
 * models so that cost budgets behave the same offline as against a paid endpoint. Pass your
 * own table (merged over this one) for other models or negotiated prices.
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  "gpt-4.1-nano": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  "o3-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  "o4-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  "scenario:*": { inputPerMTok: 1, outputPerMTok: 4 },
});

/**
 * The scripted scenario models at no cost: what the `governor` CLI prices them at, since a
 * scripted offline run spends nothing and must not show up in `governor cost` or the daily
 * spend as if it had. DEFAULT_PRICES keeps a nonzero price for them so that a library caller
 * (and the tests of cost budgets) can exercise `maxCostUsd` offline; merge this table over it
 * to report real spend only.
 */
export const OFFLINE_SCENARIO_PRICES: PriceTable = Object.freeze({
  "scenario:*": { inputPerMTok: 0, outputPerMTok: 0 },
});

/** The price of `model`, or undefined when the table does not know it. */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  let best: { length: number; price: ModelPrice } | undefined;
  for (const [key, price] of Object.entries(table)) {
    const matches = key.endsWith("*")
      ? model.startsWith(key.slice(0, -1))
      : model.startsWith(`${key}-`) && /^-\d{4}-?\d{2}-?\d{2}$/.test(model.slice(key.length));
    const length = key.endsWith("*") ? key.length - 1 : key.length;
    if (matches && (!best || length > best.length)) best = { length, price };
  }
  return best?.price;
}

/**
 * What a call (or a run's usage) costs in US dollars, or undefined when the model has no price:
 * a caller enforcing a cost budget must then refuse rather than count it as free.
 *
 * @example
 * costOf("gpt-4o-mini", { inputTokens: 1200, outputTokens: 300 }); // 0.00036
 */
export function costOf(
  model: string,
  usage: TokenUsage,
  table: PriceTable = DEFAULT_PRICES,
): number | undefined {
  const price = priceOf(model, table);
  if (!price) return undefined;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
