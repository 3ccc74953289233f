import type { Workflow } from "@governor/core";

/** One field of a workflow's state as `governor run --help` lists it. */
export interface InputField {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
}

/** The parts of a zod 4 schema definition this reads. */
interface ZodDef {
  readonly type?: string;
  readonly innerType?: { _zod?: { def?: ZodDef } };
  readonly element?: { _zod?: { def?: ZodDef } };
  readonly entries?: Record<string, unknown>;
  readonly values?: readonly unknown[];
  readonly options?: readonly { _zod?: { def?: ZodDef } }[];
}

const WRAPPERS_MAKING_OPTIONAL = new Set(["optional", "default", "prefault", "catch"]);

/**
 * The fields a run's `--input` may carry: the workflow's state fields, each with its type and
 * whether the run can start without it (optional, or with a default).
 */
export function inputFields(workflow: Workflow): InputField[] {
  const shape = (workflow.state as { shape?: Record<string, { _zod?: { def?: ZodDef } }> }).shape ?? {};
  return Object.entries(shape).map(([name, schema]) => {
    let def = schema?._zod?.def;
    let required = true;
    while (def && (WRAPPERS_MAKING_OPTIONAL.has(def.type ?? "") || def.type === "nullable")) {
      if (def.type !== "nullable") required = false;
      def = def.innerType?._zod?.def;
    }
    return { name, type: typeName(def), required };
  });
}

function typeName(def: ZodDef | undefined): string {
  if (!def?.type) return "unknown";
  switch (def.type) {
    case "array":
      return `${typeName(def.element?._zod?.def)}[]`;
    case "enum":
      return Object.values(def.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(" | ");
    case "literal":
      return (def.values ?? []).map((value) => JSON.stringify(value)).join(" | ");
    case "union":
      return (def.options ?? []).map((option) => typeName(option._zod?.def)).join(" | ");
    default:
      return def.type;
  }
}

/** The lines `governor run TARGET --help` adds: what `--input` takes for that workflow. */
export function describeInput(workflow: Workflow, example?: unknown): string[] {
  const fields = inputFields(workflow);
  const width = Math.max(4, ...fields.map((field) => field.name.length));
  const typeWidth = Math.max(4, ...fields.map((field) => field.type.length));
  return [
    `Input of workflow "${workflow.name}": --input takes a JSON object with these state fields`,
    `(inline, @file.json, or - to read stdin):`,
    ...fields.map(
      (field) =>
        `  ${field.name.padEnd(width)}  ${field.type.padEnd(typeWidth)}  ${field.required ? "required" : "optional"}`,
    ),
    ...(example === undefined ? [] : ["", `For example: --input '${JSON.stringify(example)}'`]),
  ];
}
