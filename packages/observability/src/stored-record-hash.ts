import { recordHash } from "./audit-chain.js";
import type { AuditRecord } from "./audit-record.js";
import { sha256Hex } from "./canonical-json.js";
import { sortedKeys } from "./plain-json.js";

/** Deeper than this, `toPlainJson` refuses to normalize, so no append ever sealed such data. */
const MAX_DEPTH = 1_000;
const TOO_DEEP = Symbol("too deep");
/** A value `JSON.parse` cannot return (a Date, a Buffer…): `recordHash` normalizes it. */
const NOT_PARSED = Symbol("not parsed");

/**
 * `recordHash` for a record read back from the journal's table, whose `data` is what
 * `JSON.parse` made of the stored text and whose other fields are the strings and the
 * number the journal writes: the same hash, without `toPlainJson` first copying the data.
 *
 * It is what makes verifying 100,000 records a matter of seconds: normalizing a value that
 * is already plain JSON is most of `recordHash`'s cost. It is exact only on that input, so it
 * checks the input is that: a field of another type (a BLOB written into the file, say)
 * is handed to `recordHash`, which normalizes whatever it is. Of what `JSON.parse` can return,
 * only two numbers are not plain JSON, and they are encoded as `toPlainJson` would tag them:
 * ±Infinity (a literal like `1e400` in edited text; NaN cannot be parsed) and `-0` (which
 * `JSON.stringify` already writes as `0`).
 *
 * @returns the hash, or undefined when the data nests deeper than any sealed record can (only
 * an edit of the file makes that), so the record reads as changed.
 */
export function storedRecordHash(record: Omit<AuditRecord, "hash" | "seal">): string | undefined {
  const { seq, at, threadId, kind, outcome, node, tool, principal, data, dedupeKey, prevHash } = record;
  if (
    !Number.isSafeInteger(seq) ||
    !allStrings(at, threadId, kind, outcome, prevHash) ||
    !optionalStrings(node, tool, principal, dedupeKey)
  )
    return recordHash(record);
  const encoded = encodeParsed(data, 0);
  if (encoded === NOT_PARSED) return recordHash(record);
  if (encoded === TOO_DEEP) return undefined;
  // The fields in the order encodePlain sorts them (all names, no array indices), absent ones left out as it does.
  let text = `{"at":${JSON.stringify(at)},"data":${encoded}`;
  if (dedupeKey !== undefined) text += `,"dedupeKey":${JSON.stringify(dedupeKey)}`;
  text += `,"kind":${JSON.stringify(kind)}`;
  if (node !== undefined) text += `,"node":${JSON.stringify(node)}`;
  text += `,"outcome":${JSON.stringify(outcome)},"prevHash":${JSON.stringify(prevHash)}`;
  if (principal !== undefined) text += `,"principal":${JSON.stringify(principal)}`;
  text += `,"seq":${seq},"threadId":${JSON.stringify(threadId)}`;
  if (tool !== undefined) text += `,"tool":${JSON.stringify(tool)}`;
  return sha256Hex(`${text}}`);
}

/**
 * `encodePlain(toPlainJson(value))` for a value `JSON.parse` returned: arrays and plain objects
 * are walked as they are (an own `__proto__` key included, which `JSON.parse` creates as data),
 * and only non-finite numbers need the tag `toPlainJson` gives them.
 */
function encodeParsed(value: unknown, depth: number): string | typeof TOO_DEEP | typeof NOT_PARSED {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : `{"$type":"number","value":"${value}"}`;
    case "object":
      break;
    default:
      return NOT_PARSED;
  }
  if (value === null) return "null";
  const array = Array.isArray(value);
  if (!array && Object.getPrototypeOf(value) !== Object.prototype) return NOT_PARSED;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  let text = "";
  if (array) {
    for (let i = 0; i < value.length; i++) {
      const item = encodeParsed(value[i], depth + 1);
      if (typeof item !== "string") return item;
      text += i ? `,${item}` : item;
    }
    return `[${text}]`;
  }
  // Keys in encodePlain's order, from the function that defines it for encodePlain.
  const object = value as Record<string, unknown>;
  for (const key of sortedKeys(object)) {
    const item = encodeParsed(object[key], depth + 1);
    if (typeof item !== "string") return item;
    text += `${text ? "," : ""}${JSON.stringify(key)}:${item}`;
  }
  return `{${text}}`;
}

function allStrings(...values: unknown[]): boolean {
  return values.every((value) => typeof value === "string");
}

function optionalStrings(...values: unknown[]): boolean {
  return values.every((value) => value === undefined || typeof value === "string");
}
