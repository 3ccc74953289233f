import { GovernorError } from "@governor/errors";

/** A value JSON can carry unchanged: what journals store and what hashes are computed over. */
export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

/** Nesting deeper than this is refused: JSON.stringify would overflow the stack long before a real result gets there. */
const MAX_DEPTH = 1_000;

const OMIT = Symbol("omit");

/**
 * Turns any value a handler may return, or a caller may audit, into plain JSON, the same
 * way every time. This is the one place non-JSON values are decided, used by the effect
 * journal (results), the audit journal (record data) and `canonicalJson` (every hash), so
 * what is stored, what is hashed and what is read back are the same value.
 *
 * - `bigint` → `{ "$type": "bigint", "value": "123" }` (lossless, one form for every size);
 * - `NaN`, `±Infinity` → `{ "$type": "number", "value": "NaN" | "Infinity" | "-Infinity" }`
 *   (JSON would write `null` and conflate them with a real null); `-0` → `0`;
 * - `Buffer`, any typed array, `ArrayBuffer`, `DataView` → `{ "$type": "bytes", "base64": … }`,
 *   with `"view": "Float64Array"` when the bytes came from a view other than a byte array;
 * - `Date` → its ISO string (as JSON writes it); an invalid date → `{ "$type": "date", "value": "invalid" }`;
 * - `Map` → `{ "$type": "map", "entries": [[key, value], …] }`, `Set` → `{ "$type": "set", "values": […] }`,
 *   both sorted by their canonical encoding, since neither's meaning depends on insertion order;
 * - `Error` → `{ "$type": "error", "name", "message" }`, `RegExp` → `{ "$type": "regexp", "value": "/x/g" }`,
 *   boxed primitives → the primitive;
 * - an object with `toJSON` (URL, decimal libraries…) → what `toJSON` returns, normalized;
 * - any other object, class instances included → its own enumerable string-keyed data.
 *   `__proto__`, `constructor` and `prototype` are ordinary keys here: kept as own data, never
 *   applied as a prototype;
 * - `undefined`, functions and symbols are dropped from objects and become `null` in arrays,
 *   as JSON does: a field set to `undefined` means the same as a missing one.
 *
 * Plain JSON maps to itself, so normalizing twice changes nothing.
 *
 * @throws {GovernorError} VALUE_UNSERIALIZABLE for a circular reference or nesting deeper than
 * 1000 levels, naming the path (e.g. `$.order.self`); any error thrown by a getter or `toJSON`
 * propagates.
 */
export function toPlainJson(value: unknown): PlainJson {
  const plain = normalize(value, "$", []);
  return plain === OMIT ? null : plain;
}

function normalize(value: unknown, path: string, ancestors: object[]): PlainJson | typeof OMIT {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return Object.is(value, -0) ? 0 : value;
      return tagged("number", { value: String(value) });
    case "bigint":
      return tagged("bigint", { value: value.toString() });
    case "undefined":
    case "function":
    case "symbol":
      return OMIT;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) {
    throw new GovernorError(
      "VALUE_UNSERIALIZABLE",
      `Circular reference at ${path}: it points back to an object that contains it, so the value cannot be written as JSON`,
      { path },
    );
  }
  if (ancestors.length >= MAX_DEPTH) {
    throw new GovernorError(
      "VALUE_UNSERIALIZABLE",
      `Value nested deeper than ${MAX_DEPTH} levels at ${path}`,
      {
        path,
      },
    );
  }
  ancestors.push(object);
  try {
    return normalizeObject(object, path, ancestors);
  } finally {
    ancestors.pop();
  }
}

function normalizeObject(object: object, path: string, ancestors: object[]): PlainJson | typeof OMIT {
  if (Array.isArray(object))
    return object.map((item, index) => {
      const plain = normalize(item, `${path}[${index}]`, ancestors);
      return plain === OMIT ? null : plain;
    });
  const special = normalizeBuiltIn(object, path, ancestors);
  if (special !== undefined) return special;
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return normalize(toJSON.call(object), path, ancestors);
  const plain: Record<string, PlainJson> = {};
  for (const key of Object.keys(object)) {
    const field = normalize((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
    if (field !== OMIT) setOwn(plain, key, field);
  }
  return plain;
}

/** Built-in types whose data is not in their own enumerable keys; undefined for anything else. */
function normalizeBuiltIn(object: object, path: string, ancestors: object[]): PlainJson | undefined {
  if (object instanceof Date)
    return Number.isNaN(object.getTime()) ? tagged("date", { value: "invalid" }) : object.toISOString();
  if (object instanceof ArrayBuffer) return bytes(new Uint8Array(object));
  if (ArrayBuffer.isView(object)) {
    const view = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
    const kind = object.constructor.name;
    return kind === "Uint8Array" || kind === "Buffer" ? bytes(view) : { ...bytes(view), view: kind };
  }
  if (object instanceof Map)
    return tagged("map", {
      entries: sortedByEncoding(
        [...object].map(([key, item], index) => [
          orNull(normalize(key, `${path}<key ${index}>`, ancestors)),
          orNull(normalize(item, `${path}<value ${index}>`, ancestors)),
        ]),
      ),
    });
  if (object instanceof Set)
    return tagged("set", {
      values: sortedByEncoding(
        [...object].map((item, index) => orNull(normalize(item, `${path}<${index}>`, ancestors))),
      ),
    });
  if (object instanceof Error) return tagged("error", { name: object.name, message: object.message });
  if (object instanceof RegExp) return tagged("regexp", { value: String(object) });
  if (object instanceof Number || object instanceof String || object instanceof Boolean)
    return orNull(normalize(object.valueOf(), path, ancestors));
  return undefined;
}

function tagged(type: string, fields: Record<string, PlainJson>): Record<string, PlainJson> {
  return { $type: type, ...fields };
}

function bytes(view: Uint8Array): Record<string, PlainJson> {
  return tagged("bytes", {
    base64: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64"),
  });
}

function orNull(value: PlainJson | typeof OMIT): PlainJson {
  return value === OMIT ? null : value;
}

/** Map entries and set members in the order of their canonical JSON: equal collections normalize equally. */
function sortedByEncoding(items: PlainJson[]): PlainJson[] {
  return items
    .map((item) => [encodePlain(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}

/**
 * Sets a key as own data. A plain assignment of `__proto__` would call the prototype setter
 * instead, dropping the key (or, for an object value, changing the prototype).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The canonical text of a plain JSON value: keys sorted at every depth, in the order
 * `JSON.stringify` gives a key-sorted object (array-index keys first, ascending by number,
 * then the rest by UTF-16 code unit), so hashes computed before this encoder existed stay
 * the same for every value that has no `__proto__` key.
 */
export function encodePlain(value: PlainJson): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(encodePlain).join(",")}]`;
  let text = "";
  for (const key of sortedKeys(value)) {
    text += `${text ? "," : ""}${JSON.stringify(key)}:${encodePlain(value[key] as PlainJson)}`;
  }
  return `{${text}}`;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** Array-index keys ascending by number, then the rest by UTF-16 code unit: JSON.stringify's order for a key-sorted object. */
export function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length < 2) return keys;
  const indices: string[] = [];
  const names: string[] = [];
  for (const key of keys) (ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1 ? indices : names).push(key);
  // The default sort compares UTF-16 code units.
  names.sort();
  return indices.length ? [...indices.sort((a, b) => Number(a) - Number(b)), ...names] : names;
}
