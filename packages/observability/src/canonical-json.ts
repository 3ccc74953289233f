import { hash } from "node:crypto";
import { encodePlain, toPlainJson } from "./plain-json.js";

/**
 * JSON with object keys sorted at every depth, so equal values always hash equally.
 *
 * Hand-written because hashes bind approvals and chain audit records: the encoding must be
 * fixed by this code, not by whichever insertion order a caller's object happened to have.
 * Values JSON cannot carry are first normalized by `toPlainJson` (the same normalization the
 * journals store), so a hash over a stored value and over the value before it was stored agree.
 *
 * What is and is not the same value here:
 * - `__proto__`, `constructor` and `prototype` are ordinary keys: `{ "__proto__": 1 }` and `{}` differ;
 * - a field set to `undefined` is the same as a missing field (as in JSON); in an array it is `null`;
 * - `-0` is `0`; `NaN` and `±Infinity` are encoded as tagged values, distinct from `null` and each other;
 * - strings are compared code unit by code unit: no Unicode normalization, so "é" (one code point)
 *   and "é" (e + combining accent) differ, as they differ to any program that reads them.
 *
 * @throws {GovernorError} VALUE_UNSERIALIZABLE for a circular reference (see `toPlainJson`).
 */
export function canonicalJson(value: unknown): string {
  return encodePlain(toPlainJson(value));
}

export function sha256Hex(text: string): string {
  // One-shot, no Hash object: half the cost of createHash on a record-sized text, and verify hashes every record.
  return hash("sha256", text, "hex");
}

/**
 * SHA-256 of a value's canonical JSON.
 *
 * @throws {GovernorError} VALUE_UNSERIALIZABLE for a circular reference.
 */
export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
