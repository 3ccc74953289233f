/**
 * Checks on the facts a gate puts to the policy. A policy engine reads a context as a plain
 * record: anything else (a Promise nobody awaited, a Map, a class instance) would reach it as
 * an empty record, and a `forbid … when { context.flown }` would silently never fire. So
 * anything but plain data is refused, and the caller denies the call.
 */

/** How deep nested facts are inspected; deeper data is refused rather than trusted unseen. */
const MAX_DEPTH = 32;

/** True for `{ … }` literals and `Object.create(null)`: not arrays, Maps, Dates, class instances or Promises. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Names what a value is, for a message: "a Promise", "an array", "an instance of Account", "null". */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return `a ${typeof value}`;
  if (isThenable(value)) return "a Promise (a fact read that was not awaited)";
  if (Array.isArray(value)) return "an array";
  if (isPlainRecord(value)) return "a plain record";
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } })?.constructor?.name;
  return name ? `an instance of ${name}` : "an object that is not a plain record";
}

/**
 * What is wrong with `value` as a policy context (a plain record of plain data), with a
 * path to the offending value, or undefined when it is fine.
 */
export function contextProblem(value: unknown, path = "context"): string | undefined {
  if (!isPlainRecord(value))
    return `${path} must be a plain record ({ key: value }), got ${describeValue(value)}`;
  return dataProblem(value, path, 0, new WeakSet());
}

/** What is wrong with `value` as a policy resource (`{ type, id }` strings), or undefined. */
export function resourceProblem(value: unknown, path = "resource"): string | undefined {
  if (value === undefined) return undefined;
  if (!isPlainRecord(value)) return `${path} must be { type, id } or undefined, got ${describeValue(value)}`;
  for (const field of ["type", "id"] as const) {
    const got = Object.hasOwn(value, field) ? value[field] : undefined;
    if (typeof got !== "string" || !got) {
      return `${path}.${field} must be a non-empty string, got ${describeValue(got)}`;
    }
  }
  return undefined;
}

/** Plain data all the way down: records, arrays and primitives; no Promise, function or class instance. */
function dataProblem(value: unknown, path: string, depth: number, seen: WeakSet<object>): string | undefined {
  if (typeof value === "function" || typeof value === "symbol") return `${path} is ${describeValue(value)}`;
  if (typeof value !== "object" || value === null) return undefined;
  if (depth > MAX_DEPTH) return `${path} nests deeper than ${MAX_DEPTH} levels`;
  if (seen.has(value)) return `${path} refers back to itself`;
  seen.add(value);
  if (!Array.isArray(value) && !isPlainRecord(value)) {
    return `${path} must be plain data (a record, array, string, number or boolean), got ${describeValue(value)}`;
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = dataProblem(
      item,
      Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`,
      depth + 1,
      seen,
    );
    if (problem) return problem;
  }
  seen.delete(value);
  return undefined;
}

function isThenable(value: object): boolean {
  return typeof (value as { then?: unknown }).then === "function";
}
