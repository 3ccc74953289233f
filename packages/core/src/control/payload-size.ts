/**
 * Size bounds on what enters a run: the run's input and each tool call a model proposes.
 *
 * Every step on the path is linear in its input, but a run still stores, hashes, masks and
 * counts the tokens of everything it carries, several times over; a bound turns a
 * megabyte-long argument into a clear refusal instead of a slow run and a bloated journal.
 * Sizes are of the value as JSON in UTF-8, the form in which it is stored and sent.
 */

/** Default bound on one proposed tool call's arguments (a tool may set `maxArgumentBytes`). */
export const DEFAULT_MAX_ARGUMENT_BYTES = 256 * 1024;
/** Default bound on a run's input (a workflow may set `maxInputBytes`). */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

/** What is too large: the whole value's size, and its largest top-level field. */
export interface Oversize {
  readonly bytes: number;
  readonly limit: number;
  /** The top-level field that takes the most room, when the value is a record. */
  readonly field?: string;
  readonly fieldBytes?: number;
}

/**
 * Whether `value`, as JSON, exceeds `limit` bytes; undefined when it fits. A value JSON
 * cannot represent (a BigInt, a cycle) counts as too large: it could not be stored as given.
 */
export function oversize(value: unknown, limit: number): Oversize | undefined {
  const bytes = jsonBytes(value);
  if (bytes <= limit) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) return { bytes, limit };
  let field: string | undefined;
  let fieldBytes = -1;
  for (const [key, item] of Object.entries(value)) {
    const size = jsonBytes(item);
    if (size > fieldBytes) {
      field = key;
      fieldBytes = size;
    }
  }
  return field === undefined ? { bytes, limit } : { bytes, limit, field, fieldBytes };
}

/** How the refusal reads, to the model or the caller. */
export function describeOversize(what: string, size: Oversize): string {
  const largest =
    size.field === undefined ? "" : `; the largest is "${size.field}" (${size.fieldBytes} bytes)`;
  return `${what} take ${size.bytes === Number.POSITIVE_INFINITY ? "an unserializable amount of" : size.bytes} bytes as JSON, over the limit of ${size.limit}${largest}`;
}

function jsonBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : Buffer.byteLength(text, "utf8");
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
