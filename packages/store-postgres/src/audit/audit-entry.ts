import { GovernorError } from "@governor/errors";
import { type AuditEntry, type PlainJson, toPlainJson } from "@governor/observability";

/** An entry checked and normalized before it joins the queue: what a transaction writes. */
export interface PreparedEntry {
  readonly threadId: string;
  readonly kind: AuditEntry["kind"];
  readonly outcome: string;
  readonly node?: string;
  readonly tool?: string;
  readonly principal?: string;
  readonly data: Record<string, PlainJson>;
  /** The text stored: `JSON.stringify` of `data`, as the SQLite journal stores it. */
  readonly dataText: string;
  /** `data.callId` when it is a string: the indexed column `find` looks calls up by. */
  readonly callId: string | null;
  readonly dedupeKey?: string;
}

/**
 * Normalizes an entry's data (`toPlainJson`, as every journal does) and checks its text fields
 * can be stored as they are hashed.
 *
 * PostgreSQL's text cannot hold U+0000, and a lone surrogate would be written as U+FFFD: the
 * record read back would not be the record sealed, and an honest record would fail `verify`.
 * Such an entry is refused here, alone, before it shares a transaction with others. (In
 * `data` both are escaped by JSON, so they are stored exactly.)
 *
 * @throws {GovernorError} VALUE_UNSERIALIZABLE for circular or too deeply nested data, or a
 * field PostgreSQL cannot store exactly.
 */
export function prepareEntry(entry: AuditEntry): PreparedEntry {
  const required = { threadId: entry.threadId, kind: entry.kind, outcome: entry.outcome };
  for (const [field, value] of Object.entries(required)) {
    if (typeof value !== "string")
      throw new GovernorError("VALUE_UNSERIALIZABLE", `audit entry ${field} is not a string`, { field });
    checkStorable(field, value);
  }
  const optional = {
    node: entry.node,
    tool: entry.tool,
    principal: entry.principal,
    dedupeKey: entry.dedupeKey,
  };
  for (const [field, value] of Object.entries(optional)) {
    if (value === undefined) continue;
    if (typeof value !== "string")
      throw new GovernorError("VALUE_UNSERIALIZABLE", `audit entry ${field} is not a string`, { field });
    checkStorable(field, value);
  }
  const data = toPlainJson(entry.data ?? {}) as Record<string, PlainJson>;
  const callId = data.callId;
  return {
    ...required,
    ...(entry.node !== undefined ? { node: entry.node } : {}),
    ...(entry.tool !== undefined ? { tool: entry.tool } : {}),
    ...(entry.principal !== undefined ? { principal: entry.principal } : {}),
    ...(entry.dedupeKey !== undefined ? { dedupeKey: entry.dedupeKey } : {}),
    data,
    dataText: JSON.stringify(data),
    callId: typeof callId === "string" ? callId : null,
  };
}

/** A surrogate that is not half of a pair (`u` mode reads a pair as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

function checkStorable(field: string, value: string): void {
  if (value.includes("\u0000") || LONE_SURROGATE.test(value))
    throw new GovernorError(
      "VALUE_UNSERIALIZABLE",
      `audit entry ${field} holds a NUL character or a lone surrogate, which PostgreSQL cannot store as written`,
      { field },
    );
}
