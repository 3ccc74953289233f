import type { CedarValueJson } from "@cedar-policy/cedar-wasm/nodejs";

/** A value a request carries that Cedar cannot represent; the engine denies with its message. */
export class CedarValueError extends Error {}

/**
 * Converts a JavaScript value for a Cedar context or attribute.
 *
 * - boolean and string pass through. A string also serves where the schema declares an
 *   extension type: Cedar parses `"12.50"` as a `decimal` and an ISO date as a `datetime`.
 * - A number must be a safe integer (Cedar `Long`). Cedar has no floating-point numbers, and
 *   rounding an amount would let a policy decide on a value nobody asked for, so `12.5` is
 *   refused: pass whole units (cents), or a string the schema declares `decimal`.
 * - A Date becomes its ISO string (declare it `datetime`).
 * - Arrays become sets; plain objects become records.
 * - `undefined` and `null` mean "absent": the attribute is left out, which is what Cedar's
 *   optional attributes (`flagReason?: String`) expect.
 *
 * @returns undefined when the value is absent.
 * @throws {CedarValueError} naming the path of a value Cedar cannot hold.
 */
export function toCedarValue(value: unknown, path: string): CedarValueJson | undefined {
  if (value === undefined || value === null) return undefined;
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "number":
      if (Number.isSafeInteger(value)) return value;
      throw new CedarValueError(
        `${path} is ${value}, not a whole number: Cedar has no floating-point numbers (pass whole units such as cents, or a string the schema declares decimal)`,
      );
    case "bigint":
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
        return Number(value);
      throw new CedarValueError(`${path} is ${value}, beyond the integers Governor passes to Cedar exactly`);
    case "object":
      return objectValue(value, path);
    default:
      throw new CedarValueError(`${path} is a ${typeof value}, which Cedar cannot hold`);
  }
}

/** Converts a record's fields, leaving out absent ones. */
export function toCedarRecord(
  record: Readonly<Record<string, unknown>>,
  path: string,
): Record<string, CedarValueJson> {
  const out: Record<string, CedarValueJson> = {};
  for (const [key, field] of Object.entries(record)) {
    const converted = toCedarValue(field, `${path}.${key}`);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

function objectValue(value: object, path: string): CedarValueJson {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || value instanceof Set) {
    return [...value].map((element, index) => {
      const converted = toCedarValue(element, `${path}[${index}]`);
      if (converted === undefined)
        throw new CedarValueError(`${path}[${index}] is ${element}: a Cedar set has no empty elements`);
      return converted;
    });
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null)
    throw new CedarValueError(
      `${path} is a ${value.constructor?.name ?? "object"}, which Cedar cannot hold: pass a plain object`,
    );
  return toCedarRecord(value as Record<string, unknown>, path);
}
