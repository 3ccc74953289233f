import { CedarValueError } from "./cedar-value-error.js";

/** Cedar's `decimal`: a 64-bit integer count of ten-thousandths. */
const DECIMAL_PLACES = 4;
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * A JavaScript number as the literal of a Cedar `decimal` (`"12.5"`), exactly or not at all.
 *
 * The number's shortest round-trip text is taken as the value meant (`12.5`, `0.1`): it is
 * what JSON carried and what the handler will see. A value that needs more than four decimal
 * places (`0.30000000000000004`, `1e-7`) or lies outside Cedar's range would be rounded or
 * overflow, so a policy would decide on an amount nobody asked for: it is refused instead.
 *
 * @throws {CedarValueError} naming the path, when the number has no exact Cedar decimal.
 */
export function toDecimalLiteral(value: number, path: string): string {
  const text = Object.is(value, -0) ? "0" : String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!Number.isFinite(value) || !match)
    throw new CedarValueError(
      `${path} is ${text}, which a Cedar decimal cannot hold exactly (at most ${DECIMAL_PLACES} decimal places, magnitude below 922337203685477.5808)`,
    );
  const [, sign = "", whole = "0", fraction = ""] = match;
  if (fraction.length > DECIMAL_PLACES)
    throw new CedarValueError(
      `${path} is ${text}: a Cedar decimal has at most ${DECIMAL_PLACES} decimal places, and rounding would let a policy decide on another amount`,
    );
  const scaled = BigInt(`${sign}${whole}${fraction.padEnd(DECIMAL_PLACES, "0")}`);
  if (scaled < MIN || scaled > MAX)
    throw new CedarValueError(`${path} is ${text}, beyond the range of a Cedar decimal`);
  // Cedar wants at least one digit after the point: "12" is not a decimal literal, "12.0" is.
  return `${sign}${whole}.${fraction || "0"}`;
}
