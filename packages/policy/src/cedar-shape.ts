import type { EntityUidJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { CedarRequest } from "./cedar-request.js";

/** An entity reference's type, in either of the two JSON forms Cedar accepts. */
const typeOf = (uid: EntityUidJson) => ("__entity" in uid ? uid.__entity.type : uid.type);

/**
 * The key under which a request's validation against the schema is cached: everything the
 * schema validates, and nothing else.
 *
 * Request validation is most of a decision's cost, and its verdict depends only on types:
 * the principal's, action's and resource's entity types (and the action's name, since each
 * action declares its own principal, resource and context types), every entity's type, the
 * types of its attributes and of its parents, and the context's type shape, down to nested
 * records, set elements, extension constructors and entity references. Values do not matter:
 * whole numbers are checked before a value reaches Cedar, and extension literals (a decimal)
 * are parsed at every evaluation, which fails closed. Ids do not matter either.
 *
 * Leaving any of these types out would let a warm engine skip validation for a request a
 * fresh one refuses: that is how an unknown resource type once got through.
 */
export function requestShape(request: CedarRequest): string {
  const entities = request.entities
    .map(
      (entity) =>
        `${typeOf(entity.uid)}${shapeOf(entity.attrs ?? {})}<${(entity.parents ?? [])
          .map(typeOf)
          .sort()
          .join(",")}>`,
    )
    .sort();
  return JSON.stringify([
    request.principal.type,
    request.action.type,
    request.action.id,
    request.resource.type,
    entities,
    shapeOf(request.context),
  ]);
}

/**
 * The type shape of a value in Cedar's JSON form: which keys hold strings, numbers,
 * booleans, sets, records, extension values or entity references, ignoring the values.
 * Keys are quoted so that no key can imitate the shape's own punctuation.
 */
export function shapeOf(value: unknown): string {
  if (value === null || value === undefined) return "_";
  switch (typeof value) {
    case "string":
      return "s";
    case "number":
      return "n";
    case "boolean":
      return "b";
    case "object": {
      if (Array.isArray(value)) return `[${[...new Set(value.map(shapeOf))].sort().join("|")}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      // Cedar reads a record with one of these keys as an escape: the escape's type is its fn or type.
      if (keys.length === 1 && keys[0] === "__extn")
        return `x:${JSON.stringify((record.__extn as { fn?: unknown })?.fn ?? null)}`;
      if (keys.length === 1 && keys[0] === "__entity")
        return `e:${JSON.stringify((record.__entity as { type?: unknown })?.type ?? null)}`;
      return `{${keys
        .sort()
        .map((key) => `${JSON.stringify(key)}:${shapeOf(record[key])}`)
        .join(",")}}`;
    }
    default:
      return `?${typeof value}`;
  }
}
