/**
 * The type shape of a Cedar request in Cedar's JSON form: which keys hold strings,
 * numbers, booleans, sets, records or extension values, ignoring the values themselves.
 *
 * Hand-written for speed: request validation against the schema is most of a decision's
 * cost, and it depends only on this shape (whole numbers are checked before a value
 * reaches Cedar, and extension values such as decimals are parsed at evaluation, which
 * fails closed). So a shape validated once need not be validated again.
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
      if ("__extn" in record) return `x:${(record.__extn as { fn?: string })?.fn ?? "?"}`;
      if ("__entity" in record) return `e:${(record.__entity as { type?: string })?.type ?? "?"}`;
      return `{${Object.keys(record)
        .sort()
        .map((key) => `${key}:${shapeOf(record[key])}`)
        .join(",")}}`;
    }
    default:
      return `?${typeof value}`;
  }
}
