import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { GovernorError } from "@governor/core";
import { type ModelPrice, OFFLINE_SCENARIO_PRICES, type PriceTable } from "@governor/models";

/**
 * The model prices the CLI charges runs at: the defaults of @governor/models, with the
 * scripted scenario models at zero (an offline run is not real spend, so `governor cost` and
 * `status` show $0 for it), and over both the table in the file GOVERNOR_PRICES names, for
 * negotiated prices, other models, or a nonzero price to try a cost budget offline:
 *
 * ```json
 * { "gpt-4o-mini": { "inputPerMTok": 0.15, "outputPerMTok": 0.6 } }
 * ```
 *
 * @throws {GovernorError} CONFIG_INVALID when GOVERNOR_PRICES names a file that cannot be
 *   read, is not JSON, or holds a price that is not two non-negative numbers.
 */
export function cliPrices(env: Readonly<Record<string, string | undefined>> = process.env): PriceTable {
  const file = env.GOVERNOR_PRICES;
  if (file === undefined) return OFFLINE_SCENARIO_PRICES;
  const path = resolve(file);
  const invalid = (what: string, cause?: unknown) =>
    new GovernorError("CONFIG_INVALID", `GOVERNOR_PRICES (${path}) ${what}`, { file: path }, { cause });
  let table: unknown;
  try {
    table = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw invalid(`cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    throw invalid('is not an object of model name → { "inputPerMTok": n, "outputPerMTok": n }');
  }
  for (const [model, price] of Object.entries(table)) {
    if (!isPrice(price)) {
      throw invalid(
        `prices ${model} as ${JSON.stringify(price)}: give { "inputPerMTok": n, "outputPerMTok": n }, n ≥ 0`,
      );
    }
  }
  return { ...OFFLINE_SCENARIO_PRICES, ...(table as PriceTable) };
}

function isPrice(value: unknown): value is ModelPrice {
  if (typeof value !== "object" || value === null) return false;
  const { inputPerMTok, outputPerMTok } = value as Record<string, unknown>;
  return [inputPerMTok, outputPerMTok].every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0);
}
