import type { CedarValueJson } from "@cedar-policy/cedar-wasm/nodejs";
import { toDecimalLiteral } from "./cedar-decimal.js";
import type { CedarType } from "./cedar-types.js";
import { CedarValueError } from "./cedar-value-error.js";

export { CedarValueError };

const UNKNOWN: CedarType = { kind: "Unknown" };
const CEDAR_ESCAPES = new Set(["__extn", "__entity", "__expr"]);

/**
 * Converts a JavaScript value for a Cedar context or attribute, led by the type the schema
 * declares at that place (`Unknown` where it declares none: Cedar's own validation then
 * reports the undeclared attribute, and the call is denied).
 *
 * - boolean and string pass through; a string where the schema declares an extension type
 *   (`decimal`, `datetime`, `ipaddr`, `duration`) becomes that extension's constructor call.
 * - A number where the schema declares `decimal` becomes a decimal, exactly or not at all
 *   (see {@link toDecimalLiteral}): `12.5` is `decimal("12.5")`, `600` is `decimal("600.0")`.
 *   Where it declares `Long` the number must be a safe integer: a fractional value there is
 *   refused with a message to declare the attribute `decimal`. Where it declares nothing,
 *   an integer is a Long and a fraction a decimal.
 * - A Date becomes its ISO string (a `datetime` where declared so).
 * - Arrays and Sets become Cedar sets, unless that would merge equal elements (see
 *   {@link setValue}); plain objects become records.
 * - `undefined` and `null` mean "absent": the attribute is left out, which is what Cedar's
 *   optional attributes (`flagReason?: String`) expect.
 *
 * @returns undefined when the value is absent.
 * @throws {CedarValueError} naming the path of a value Cedar cannot hold faithfully.
 */
export function toCedarValue(
  value: unknown,
  path: string,
  type: CedarType = UNKNOWN,
): CedarValueJson | undefined {
  if (value === undefined || value === null) return undefined;
  switch (typeof value) {
    case "boolean":
      return value;
    case "string":
      return type.kind === "Extension" ? { __extn: { fn: type.name, arg: value } } : value;
    case "number":
      return numberValue(value, path, type);
    case "bigint":
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
        return numberValue(Number(value), path, type);
      throw new CedarValueError(`${path} is ${value}, beyond the integers Governor passes to Cedar exactly`);
    case "object":
      return objectValue(value, path, type);
    default:
      throw new CedarValueError(`${path} is a ${typeof value}, which Cedar cannot hold`);
  }
}

/** Converts a record's fields by the record type's attributes, leaving out absent ones. */
export function toCedarRecord(
  record: Readonly<Record<string, unknown>>,
  path: string,
  type: CedarType = UNKNOWN,
): Record<string, CedarValueJson> {
  const attributes = type.kind === "Record" ? type.attributes : {};
  const out: Record<string, CedarValueJson> = {};
  for (const [key, field] of Object.entries(record)) {
    // Cedar's JSON reads a record with one of these keys as an extension value or an entity
    // reference: a fact or argument must not smuggle one in as plain data.
    if (CEDAR_ESCAPES.has(key))
      throw new CedarValueError(`${path}.${key} is a key Cedar reserves for its own escapes; rename it`);
    const declared = Object.hasOwn(attributes, key) ? attributes[key]?.type : undefined;
    const converted = toCedarValue(field, `${path}.${key}`, declared);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

function numberValue(value: number, path: string, type: CedarType): CedarValueJson {
  const decimal = () => ({ __extn: { fn: "decimal", arg: toDecimalLiteral(value, path) } });
  if (type.kind === "Extension" && type.name === "decimal") return decimal();
  if (Number.isSafeInteger(value)) return value;
  if (type.kind === "Long")
    throw new CedarValueError(
      `${path} is ${value}, but the policy schema declares it Long (whole numbers): declare it decimal to accept fractional values`,
    );
  if (Number.isInteger(value))
    throw new CedarValueError(`${path} is ${value}, beyond the integers Governor passes to Cedar exactly`);
  return decimal();
}

function objectValue(value: object, path: string, type: CedarType): CedarValueJson {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CedarValueError(`${path} is an invalid Date`);
    return toCedarValue(value.toISOString(), path, type) as CedarValueJson;
  }
  if (Array.isArray(value) || value instanceof Set) return setValue([...value], path, type);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null)
    throw new CedarValueError(
      `${path} is a ${value.constructor?.name ?? "object"}, which Cedar cannot hold: pass a plain object`,
    );
  return toCedarRecord(value as Record<string, unknown>, path, type);
}

/**
 * A list as a Cedar set, refusing a list the set would shrink.
 *
 * Cedar has sets, not lists. Order cannot matter to a decision (no Cedar operator reads a
 * position), but multiplicity can matter to what the call does: two identical payments are two
 * payments, and a set holds one. Cedar's set operators (`contains`, `containsAll`, `isEmpty`)
 * cannot tell them apart, so a policy would decide on a call other than the one that runs.
 * Rather than decide on that, a list with equal elements (after conversion, so `12.5` and
 * `12.50` are equal) is refused, naming both positions; give each item what tells it apart
 * (an id, a line number) or pass the count as its own fact.
 */
function setValue(elements: readonly unknown[], path: string, type: CedarType): CedarValueJson {
  const elementType = type.kind === "Set" ? type.element : UNKNOWN;
  const seen = new Map<string, number>();
  return elements.map((element, index) => {
    const converted = toCedarValue(element, `${path}[${index}]`, elementType);
    if (converted === undefined)
      throw new CedarValueError(`${path}[${index}] is ${element}: a Cedar set has no empty elements`);
    const key = canonical(converted);
    const first = seen.get(key);
    if (first !== undefined)
      throw new CedarValueError(
        `${path}[${index}] equals ${path}[${first}]: Cedar would pass this list as a set and keep one of them, so a policy would see fewer items than the call carries; give each item a distinguishing field (an id or line number)`,
      );
    seen.set(key, index);
    return converted;
  });
}

/** JSON with sorted keys and set elements: equal Cedar values give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
