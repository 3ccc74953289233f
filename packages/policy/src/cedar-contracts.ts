import { type CedarType, describeType } from "./cedar-types.js";
import type { ContractMismatch, ContractTool } from "./decision.js";
import { type FieldShape, type ValueShape, zodShape } from "./zod-shape.js";

/**
 * Compares each tool's zod contract with the `context.args` its Cedar action declares.
 *
 * The two are written by hand in two languages, and any drift denies calls at run time: an
 * argument the schema lacks (Cedar rejects the undeclared attribute), a fraction where the
 * schema says `Long`, an optional argument the schema requires, a tool with no action at all.
 * Checked before a run, each one names its place: `policy.actions.<tool>.context.args.<path>`.
 * A contract part whose output cannot be told (a transform, `z.any()`) is not judged here;
 * the run-time conversion still refuses what Cedar cannot hold.
 */
export function checkArgsAgainstSchema(
  actions: ReadonlyMap<string, CedarType>,
  tools: readonly ContractTool[],
): ContractMismatch[] {
  const mismatches: ContractMismatch[] = [];
  for (const tool of tools) {
    const report = (path: string, message: string) =>
      mismatches.push({ code: "POLICY_CONTRACT_MISMATCH", path, message, tool: tool.name });
    const actionPath = `policy.actions.${tool.name}`;
    const context = actions.get(tool.name);
    if (!context) {
      report(
        actionPath,
        `the policy schema declares no action "${tool.name}": every call to this tool is denied`,
      );
      continue;
    }
    const args = context.kind === "Record" ? context.attributes.args : undefined;
    const shape = zodShape(tool.input);
    const argsPath = `${actionPath}.context.args`;
    if (!args) {
      const fields = shape.kind === "object" ? Object.keys(shape.fields) : [];
      if (fields.length)
        report(
          argsPath,
          `the schema's context has no args record, but the tool takes ${fields.join(", ")}: every call is denied`,
        );
      continue;
    }
    compare(shape, args.type, argsPath, report);
  }
  return mismatches;
}

type Report = (path: string, message: string) => void;

function compare(shape: ValueShape, type: CedarType, path: string, report: Report): void {
  if (shape.kind === "unknown" || type.kind === "Unknown") return;
  const wrong = (contract: string, consequence: string) =>
    report(path, `the contract gives ${contract}, the schema declares ${describeType(type)}: ${consequence}`);
  switch (shape.kind) {
    case "string":
      if (type.kind !== "String" && type.kind !== "Extension") wrong("a string", "every call is denied");
      return;
    case "boolean":
      if (type.kind !== "Bool") wrong("a boolean", "every call is denied");
      return;
    case "bigint":
      if (type.kind !== "Long") wrong("a bigint", "every call is denied");
      return;
    case "date":
      if (type.kind !== "String" && !(type.kind === "Extension" && type.name === "datetime"))
        wrong("a Date", "declare it datetime (or String)");
      return;
    case "number":
      if (type.kind === "Extension" && type.name === "decimal") return;
      if (type.kind !== "Long") wrong("a number", "every call is denied");
      else if (!shape.integer)
        wrong(
          "any number, fractions included",
          "a fractional value is refused; declare it decimal, or make the contract .int()",
        );
      return;
    case "list":
      if (type.kind !== "Set") wrong("a list", "every call is denied");
      else compare(shape.element, type.element, `${path}[]`, report);
      return;
    case "object":
      if (type.kind !== "Record") wrong("an object", "every call is denied");
      else compareFields(shape.fields, type.attributes, path, report);
      return;
  }
}

function compareFields(
  fields: Readonly<Record<string, FieldShape>>,
  attributes: Extract<CedarType, { kind: "Record" }>["attributes"],
  path: string,
  report: Report,
): void {
  for (const [key, field] of Object.entries(fields)) {
    const attribute = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    const at = `${path}.${key}`;
    if (!attribute) {
      report(at, "the contract has this field and the schema does not: every call carrying it is denied");
      continue;
    }
    if (field.optional && attribute.required)
      report(
        at,
        "the contract lets this field be absent and the schema requires it: a call without it is denied; mark it optional (?) in the schema",
      );
    compare(field.shape, attribute.type, at, report);
  }
  for (const [key, attribute] of Object.entries(attributes)) {
    if (attribute.required && !Object.hasOwn(fields, key))
      report(
        `${path}.${key}`,
        "the schema requires this field and the contract never gives it: every call is denied",
      );
  }
}
