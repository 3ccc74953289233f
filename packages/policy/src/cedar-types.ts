/**
 * Cedar schema types in a resolved, closed form, so the request converter, the shape cache and
 * the contract check all read one vocabulary instead of Cedar's JSON schema format.
 */
export type CedarType =
  | { readonly kind: "String" | "Long" | "Bool" | "Unknown" }
  | { readonly kind: "Extension"; readonly name: string }
  | { readonly kind: "Entity"; readonly name: string }
  | { readonly kind: "Set"; readonly element: CedarType }
  | { readonly kind: "Record"; readonly attributes: Readonly<Record<string, CedarAttribute>> };

export interface CedarAttribute {
  readonly type: CedarType;
  readonly required: boolean;
}

/** A type as `schemaToJsonWithResolvedTypes` writes it. */
export interface TypeJson {
  readonly type: string;
  readonly element?: TypeJson;
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, TypeJson & { readonly required?: boolean }>>;
}

const EXTENSIONS = new Set(["decimal", "datetime", "duration", "ipaddr"]);
const UNKNOWN: CedarType = { kind: "Unknown" };

/**
 * Resolves one schema type, following common-type names (`type Money = decimal`) to what they
 * stand for. A name it cannot resolve becomes `Unknown`: callers then fall back to Cedar's own
 * checks, which deny, rather than guess.
 */
export function resolveType(
  json: TypeJson | undefined,
  commonTypes: Readonly<Record<string, TypeJson>>,
  namespace: string,
  depth = 0,
): CedarType {
  if (!json || depth > 16) return UNKNOWN;
  const name = json.type.replace(/^__cedar::/, "");
  switch (name) {
    case "String":
    case "Long":
      return { kind: name };
    case "Bool":
    case "Boolean":
      return { kind: "Bool" };
    case "Set":
      return { kind: "Set", element: resolveType(json.element, commonTypes, namespace, depth + 1) };
    case "Record": {
      const attributes: Record<string, CedarAttribute> = {};
      for (const [key, attribute] of Object.entries(json.attributes ?? {}))
        attributes[key] = {
          type: resolveType(attribute, commonTypes, namespace, depth + 1),
          required: attribute.required !== false,
        };
      return { kind: "Record", attributes };
    }
    case "Entity":
      return { kind: "Entity", name: json.name ?? "?" };
    case "Extension":
      return { kind: "Extension", name: (json.name ?? "?").replace(/^__cedar::/, "") };
  }
  if (EXTENSIONS.has(name)) return { kind: "Extension", name };
  const common = commonTypes[name.replace(`${namespace}::`, "")];
  return common ? resolveType(common, commonTypes, namespace, depth + 1) : UNKNOWN;
}

/** A type in Cedar's own notation, for messages: `Set<Long>`, `{ amount: decimal }`. */
export function describeType(type: CedarType): string {
  switch (type.kind) {
    case "Extension":
    case "Entity":
      return type.name;
    case "Set":
      return `Set<${describeType(type.element)}>`;
    case "Record":
      return `{ ${Object.entries(type.attributes)
        .map(([key, attribute]) => `${key}${attribute.required ? "" : "?"}: ${describeType(attribute.type)}`)
        .join(", ")} }`;
    default:
      return type.kind;
  }
}
