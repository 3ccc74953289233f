/**
 * What a zod (v4) schema's parsed output looks like, read from zod's own definition objects
 * (`schema._zod.def`, zod 4's documented surface for library authors), so this package needs
 * no zod at run time and any zod 4 schema a tool declares can be read.
 */
export type ValueShape =
  | { readonly kind: "string" | "boolean" | "date" | "bigint" | "unknown" }
  | { readonly kind: "number"; readonly integer: boolean }
  | { readonly kind: "list"; readonly element: ValueShape }
  | { readonly kind: "object"; readonly fields: Readonly<Record<string, FieldShape>> };

export interface FieldShape {
  readonly shape: ValueShape;
  /** The field may be absent after parsing (`.optional()`, `.nullable()`; not `.default()`). */
  readonly optional: boolean;
}

interface ZodLike {
  readonly _zod?: { readonly def?: Record<string, unknown> & { readonly type?: string } };
  readonly isInt?: boolean;
}

const UNKNOWN: ValueShape = { kind: "unknown" };
const INT_FORMATS = new Set(["safeint", "int32", "uint32"]);

/** The shape of a zod schema's output; `unknown` where it cannot be told (a transform, `z.any()`). */
export function zodShape(schema: unknown): ValueShape {
  return field(schema, 0).shape;
}

function field(schema: unknown, depth: number): FieldShape {
  const def = (schema as ZodLike | undefined)?._zod?.def;
  if (!def || depth > 32) return { shape: UNKNOWN, optional: false };
  const inner = (key: string) => field(def[key], depth + 1);
  switch (def.type) {
    case "optional":
    case "nullable":
      return { shape: inner("innerType").shape, optional: true };
    case "default":
    case "prefault":
    case "nonoptional":
      return { shape: inner("innerType").shape, optional: false };
    case "readonly":
    case "catch":
      return inner("innerType");
    case "pipe": {
      // A pipe's output is its `out` schema, unless that is a transform whose result is unknowable.
      const out = (def.out as ZodLike | undefined)?._zod?.def?.type;
      return out === "transform" ? { shape: UNKNOWN, optional: false } : inner("out");
    }
    default:
      return { shape: valueShape(schema as ZodLike, def, depth), optional: false };
  }
}

function valueShape(schema: ZodLike, def: Record<string, unknown>, depth: number): ValueShape {
  switch (def.type) {
    case "string":
    case "enum":
    case "template_literal":
      return def.type === "enum" ? literalShape(Object.values(def.entries ?? {})) : { kind: "string" };
    case "literal":
      return literalShape((def.values as unknown[]) ?? []);
    case "number":
      return { kind: "number", integer: isInteger(schema, def) };
    case "int":
      return { kind: "number", integer: true };
    case "boolean":
      return { kind: "boolean" };
    case "bigint":
      return { kind: "bigint" };
    case "date":
      return { kind: "date" };
    case "array":
    case "set":
      return { kind: "list", element: field(def.element ?? def.valueType, depth + 1).shape };
    case "object": {
      const fields: Record<string, FieldShape> = {};
      for (const [key, value] of Object.entries((def.shape as Record<string, unknown>) ?? {}))
        fields[key] = field(value, depth + 1);
      return { kind: "object", fields };
    }
    case "union": {
      const options = ((def.options as unknown[]) ?? []).map((option) => field(option, depth + 1).shape);
      const [first] = options;
      const same = first && options.every((option) => JSON.stringify(option) === JSON.stringify(first));
      return same ? first : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function literalShape(values: readonly unknown[]): ValueShape {
  const kinds = new Set(values.map((value) => typeof value));
  if (kinds.size !== 1) return UNKNOWN;
  if (kinds.has("string")) return { kind: "string" };
  if (kinds.has("boolean")) return { kind: "boolean" };
  if (kinds.has("number"))
    return { kind: "number", integer: values.every((value) => Number.isInteger(value)) };
  return UNKNOWN;
}

function isInteger(schema: ZodLike, def: Record<string, unknown>): boolean {
  if (schema.isInt === true || INT_FORMATS.has(def.format as string)) return true;
  const checks = (def.checks as ZodLike[] | undefined) ?? [];
  return checks.some((check) => {
    const checkDef = check._zod?.def ?? {};
    return (
      (checkDef.check === "number_format" && INT_FORMATS.has(checkDef.format as string)) ||
      (checkDef.check === "multiple_of" && Number.isInteger(checkDef.value))
    );
  });
}
