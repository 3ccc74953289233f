import type { WorkflowIssue } from "@governor/errors";
import type { Workflow } from "./define-workflow.js";

/** The parts of a zod 4 schema's definition this check reads. */
interface ZodDef {
  readonly type?: string;
  readonly in?: { _zod?: { def?: ZodDef } };
  readonly left?: { _zod?: { def?: ZodDef } };
  readonly right?: { _zod?: { def?: ZodDef } };
  readonly options?: readonly { _zod?: { def?: ZodDef } }[];
}

/**
 * True when a schema accepts only objects at its top: a model proposes a tool call's arguments
 * as a JSON object, so a tool whose contract is a string, a number or an array refuses every
 * call it will ever get. Objects, and objects behind a transform (`pipe`), an intersection or a
 * union of objects, qualify.
 */
function isObjectSchema(def: ZodDef | undefined): boolean {
  switch (def?.type) {
    case "object":
      return true;
    case "pipe":
      return isObjectSchema(def.in?._zod?.def);
    case "intersection":
      return isObjectSchema(def.left?._zod?.def) && isObjectSchema(def.right?._zod?.def);
    case "union":
      return (def.options?.length ?? 0) > 0 && (def.options ?? []).every((o) => isObjectSchema(o._zod?.def));
    default:
      return false;
  }
}

/** Every tool's input contract is a zod object schema, or the tool can never be called. */
export function checkToolInputs(workflow: Workflow): WorkflowIssue[] {
  if (!Array.isArray(workflow.tools)) return [];
  const issues: WorkflowIssue[] = [];
  workflow.tools.forEach((tool, index) => {
    const def = (tool?.input as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;
    if (isObjectSchema(def)) return;
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `tools[${index}].input`,
      message: `tool "${tool?.name}" takes ${def?.type ? `a zod ${def.type}` : "no zod schema"} as input: a model proposes arguments as a JSON object, so every call would be refused; use z.object({ ... })`,
    });
  });
  return issues;
}
