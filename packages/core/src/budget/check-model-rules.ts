import { formatIssues, GovernorError } from "@governor/errors";
import { z } from "zod";
import type { Workflow } from "../workflow/define-workflow.js";
import type { ModelRoutingRules } from "./model-rules.js";

const ruleSchema = z
  .object({
    use: z.string().min(1),
    contextTokensAbove: z.number().int().nonnegative().optional(),
    toolRiskAtLeast: z.enum(["read", "write", "destructive"]).optional(),
    // 0 would never match and above 1 would match every turn of a run with a budget.
    budgetRemainingBelow: z.number().gt(0).lte(1).optional(),
    reason: z.string().min(1).max(500).optional(),
  })
  // Strict: a misspelt condition (`contextTokensOver`) would otherwise be dropped, and the
  // rule would pick its model on fewer conditions than its author wrote.
  .strict()
  .refine(
    (rule) =>
      rule.contextTokensAbove !== undefined ||
      rule.toolRiskAtLeast !== undefined ||
      rule.budgetRemainingBelow !== undefined,
    {
      message:
        "declares no condition (contextTokensAbove, toolRiskAtLeast or budgetRemainingBelow); name the model as `default` instead",
    },
  );

const rulesSchema = z.object({ default: z.string().min(1), rules: z.array(ruleSchema).optional() }).strict();

/**
 * Checks one node's routing rules: their shape, and that every model they name is given.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the node, the rule and the models given.
 */
export function checkNodeModelRules(
  node: string,
  rules: unknown,
  models: Readonly<Record<string, unknown>> | undefined,
): ModelRoutingRules {
  const parsed = rulesSchema.safeParse(rules);
  if (!parsed.success) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Model routing of ${node} is malformed: ${formatIssues(
        parsed.error.issues.map((issue) => ({ ...issue, path: ["nodes", node, "models", ...issue.path] })),
      )}`,
      { node },
    );
  }
  const named = [parsed.data.default, ...(parsed.data.rules ?? []).map((rule) => rule.use)];
  const missing = [...new Set(named.filter((name) => !hasModel(models, name)))];
  if (missing.length) throw unknownModels(node, missing, models);
  return parsed.data;
}

/**
 * Checks every model and agent step's routing rules against the models given to compile
 * (or the runtime), so a misnamed model fails before the run rather than at its turn.
 *
 * @throws {GovernorError} CONFIG_INVALID for malformed rules or a model name not in `models`.
 * @example
 * checkModelRules(workflow, { fast, strong }); // before compile() builds the nodes
 */
export function checkModelRules(
  workflow: Pick<Workflow, "nodes">,
  models: Readonly<Record<string, unknown>> | undefined,
): void {
  for (const [id, node] of Object.entries(workflow.nodes)) {
    if ((node.kind === "model" || node.kind === "agent") && node.models !== undefined) {
      checkNodeModelRules(id, node.models, models);
    }
  }
}

/**
 * True when `models` has its own entry `name` that can be invoked. Own entries only: a rule
 * naming "constructor" or "__proto__" must not reach Object.prototype.
 */
export function hasModel(models: Readonly<Record<string, unknown>> | undefined, name: string): boolean {
  if (!models || !Object.hasOwn(models, name)) return false;
  const model = models[name] as { invoke?: unknown } | null | undefined;
  return typeof model?.invoke === "function";
}

/** The error for a rule or default naming a model that was not given. */
export function unknownModels(
  node: string,
  missing: readonly string[],
  models: Readonly<Record<string, unknown>> | undefined,
): GovernorError {
  const given = Object.keys(models ?? {});
  // A name given something other than a chat model is named apart: it was given, wrongly.
  const named = missing.map((name) =>
    models && Object.hasOwn(models, name) ? `"${name}" (given, but not a chat model)` : `"${name}"`,
  );
  return new GovernorError(
    "CONFIG_INVALID",
    `Model routing of ${node} names ${named.join(", ")}, which ${missing.length > 1 ? "are" : "is"} not among the models given (given: ${given.length ? given.join(", ") : "none; pass models: { name: model } to compile or the runtime"})`,
    { node, missing, given },
  );
}
